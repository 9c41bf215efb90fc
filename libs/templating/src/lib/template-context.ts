/** The data a template renders from. */
export interface TemplateContext {
  event: string;
  time: number;
  project_id: string;
  connection_name: string;
  properties: Readonly<Record<string, unknown>>;
  /** The profile's attributes; absent or null when the profile is unknown (its placeholders render null). */
  profile?: Readonly<Record<string, unknown>> | null;
}
