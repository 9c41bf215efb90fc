{{- define "campaign-webhooks.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "campaign-webhooks.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of one service's objects; call with (dict "root" $ "service" "delivery"). */}}
{{- define "campaign-webhooks.serviceName" -}}
{{- printf "%s-%s" (include "campaign-webhooks.fullname" .root | trunc 42 | trimSuffix "-") .service }}
{{- end }}

{{- define "campaign-webhooks.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "campaign-webhooks.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: campaign-webhooks
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "campaign-webhooks.selectorLabels" -}}
app.kubernetes.io/name: {{ include "campaign-webhooks.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one service's objects; call with (dict "root" $ "service" "delivery"). */}}
{{- define "campaign-webhooks.serviceLabels" -}}
{{ include "campaign-webhooks.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{- define "campaign-webhooks.serviceSelectorLabels" -}}
{{ include "campaign-webhooks.selectorLabels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{- define "campaign-webhooks.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "campaign-webhooks.secretName" -}}
{{- default (include "campaign-webhooks.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "campaign-webhooks.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "campaign-webhooks.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Keys of the chart's Secret, by environment variable, from the values that are set. */}}
{{- define "campaign-webhooks.secretData" -}}
{{- $s := .Values.secrets }}
{{- $data := dict }}
{{- range $key, $value := dict "DATABASE_URL" $s.databaseUrl "ADMIN_API_KEYS" $s.adminApiKeys "SECRETS_KEY" $s.secretsKey "SMTP_URL" $s.smtpUrl "STATIC_EGRESS_PROXY_URL" $s.staticEgressProxyUrl "KAFKA_SASL_PASSWORD" $s.kafkaSaslPassword }}
{{- if $value }}
{{- $_ := set $data $key $value }}
{{- end }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/* Non-secret settings of every service, as NAME: "value" (the ConfigMap's data). */}}
{{- define "campaign-webhooks.configData" -}}
{{- $c := .Values.config }}
{{- $t := .Values.kafka.topics }}
{{- $data := dict
  "KAFKA_BROKERS" .Values.kafka.brokers
  "LOG_LEVEL" $c.logLevel
  "ENDPOINT_POLICY" $c.endpointPolicy
  "DELIVERY_TIMEOUT_MS" (toString $c.deliveryTimeoutMs)
  "NOTIFY_INTERVAL_S" (toString $c.notifyIntervalSeconds)
  "TOPIC_MESSAGE_EVENTS" $t.messageEvents
  "TOPIC_SUBSCRIPTION_EVENTS" $t.subscriptionEvents
  "TOPIC_PROFILES" $t.profiles
  "TOPIC_CONNECTIONS" $t.connections
  "TOPIC_MATCHED" $t.matched
  "TOPIC_DELIVERIES" $t.deliveries
  "TOPIC_RETRIES" $t.retries
  "TOPIC_OUTCOMES" $t.outcomes
  "TOPIC_ALERTS" $t.alerts
  "TOPIC_DEAD_LETTER" $t.deadLetter
}}
{{- if $c.staticEgressLocalAddress }}
{{- $_ := set $data "STATIC_EGRESS_LOCAL_ADDRESS" $c.staticEgressLocalAddress }}
{{- end }}
{{- $tls := .Values.kafka.tls }}
{{- if $tls.enabled }}
{{- $_ := set $data "KAFKA_TLS" "true" }}
{{- end }}
{{- if $tls.caSecret.name }}
{{- $_ := set $data "KAFKA_TLS_CA_FILE" (include "campaign-webhooks.kafkaCaFile" .) }}
{{- end }}
{{- with .Values.kafka.sasl }}
{{- if .mechanism }}
{{- $_ := set $data "KAFKA_SASL_MECHANISM" .mechanism }}
{{- $_ := set $data "KAFKA_SASL_USERNAME" .username }}
{{- end }}
{{- end }}
{{- range $key, $value := $c.extra }}
{{- $_ := set $data $key (toString $value) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/* Pod-level scheduling and security shared by the services and the setup job. */}}
{{- define "campaign-webhooks.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Kafka TLS and SASL. The CA bundle comes from an existing Secret, mounted read-only at one path in
every pod; the password comes from the chart's Secret or secrets.existingSecret (the setup job's:
its hook Secret or the existing one).
*/}}
{{- define "campaign-webhooks.kafkaCaDir" -}}
/etc/campaign-webhooks/kafka-ca
{{- end }}

{{- define "campaign-webhooks.kafkaCaFile" -}}
{{ include "campaign-webhooks.kafkaCaDir" . }}/ca.crt
{{- end }}

{{/* Refuses Kafka settings the services would refuse at start, naming the values to set. */}}
{{- define "campaign-webhooks.validateKafka" -}}
{{- $k := .Values.kafka }}
{{- if and $k.tls.caSecret.name (not $k.tls.enabled) }}
{{- fail "kafka.tls.caSecret.name is set but kafka.tls.enabled is not true: set kafka.tls.enabled=true, or leave kafka.tls.caSecret.name empty" }}
{{- end }}
{{- if $k.sasl.mechanism }}
{{- if not $k.sasl.username }}
{{- fail (printf "kafka.sasl.mechanism is %s but kafka.sasl.username is empty: set kafka.sasl.username" $k.sasl.mechanism) }}
{{- end }}
{{- if and (not .Values.secrets.existingSecret) (not .Values.secrets.kafkaSaslPassword) }}
{{- fail (printf "kafka.sasl.mechanism is %s but secrets.kafkaSaslPassword is empty: set it, or put KAFKA_SASL_PASSWORD in secrets.existingSecret" $k.sasl.mechanism) }}
{{- end }}
{{- else if or $k.sasl.username .Values.secrets.kafkaSaslPassword }}
{{- fail "kafka.sasl.username or secrets.kafkaSaslPassword is set but kafka.sasl.mechanism is empty: set it to plain, scram-sha-256 or scram-sha-512" }}
{{- end }}
{{- end }}

{{/* KAFKA_SASL_PASSWORD from the given Secret, when kafka.sasl.mechanism is set. */}}
{{- define "campaign-webhooks.kafkaPasswordEnv" -}}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: KAFKA_SASL_PASSWORD
{{- end }}

{{/* The CA bundle's mount and volume, when kafka.tls.caSecret.name is set. */}}
{{- define "campaign-webhooks.kafkaCaVolumeMount" -}}
- name: kafka-ca
  mountPath: {{ include "campaign-webhooks.kafkaCaDir" . }}
  readOnly: true
{{- end }}

{{- define "campaign-webhooks.kafkaCaVolume" -}}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.tls.caSecret.name }}
    items:
      - key: {{ .Values.kafka.tls.caSecret.key }}
        path: ca.crt
{{- end }}
