/** Why a template was refused; `message` is written for the person who edits the template. */
export type TemplateError =
  | { code: 'invalid_json'; message: string; line: number; column: number }
  | { code: 'unknown_placeholder'; message: string; placeholder: string; path: string }
  | { code: 'invalid_value'; message: string; path: string }
  | { code: 'unknown_event'; message: string; event: string };
