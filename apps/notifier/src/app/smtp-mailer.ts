import { createTransport, type Transporter } from 'nodemailer';
import { RecipientRejectedError, type Email, type Mailer } from './mailer';

/**
 * Sends through the SMTP server at SMTP_URL, one connection per message (the volume is low).
 * Credentials on an smtp:// URL go only over STARTTLS: without it, whoever strips the server's
 * STARTTLS offer would read them. The URL can still say otherwise (`?requireTLS=false`).
 */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    // nodemailer waits minutes by default; an alert should not hold its partition that long.
    this.transport = createTransport({
      url, // its query options win over those below
      requireTLS: requiresStartTls(url),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(email: Email): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        headers: { 'auto-submitted': 'auto-generated' },
      });
    } catch (error) {
      if (isPermanentRecipientRefusal(error)) throw new RecipientRejectedError((error as Error).message);
      if (isStartTlsFailure(error)) {
        throw new Error(
          `no STARTTLS with the mail server, and credentials in SMTP_URL go only over TLS: ${(error as Error).message}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** An smtp:// URL with credentials: STARTTLS before AUTH, or nothing is sent. */
function requiresStartTls(url: string): boolean {
  const { protocol, username, password } = new URL(url);
  return protocol === 'smtp:' && (username !== '' || password !== '');
}

/** STARTTLS failed: the server refused it (or did not offer it, when required), or the upgrade broke. */
function isStartTlsFailure(error: unknown): boolean {
  const { code, command } = (error ?? {}) as { code?: unknown; command?: unknown };
  return code === 'ETLS' && command === 'STARTTLS';
}

/** A 5xx answer to RCPT TO: the address does not exist or will never take our mail. */
function isPermanentRecipientRefusal(error: unknown): boolean {
  const { code, command, responseCode } = (error ?? {}) as {
    code?: unknown;
    command?: unknown;
    responseCode?: unknown;
  };
  return (
    code === 'EENVELOPE' && command === 'RCPT TO' && typeof responseCode === 'number' && responseCode >= 500
  );
}
