/** An email the notifier sends: plain text, one recipient. */
export interface Email {
  to: string;
  subject: string;
  text: string;
}

/** Sends email; resolves once the server accepted the message. */
export interface Mailer {
  send(email: Email): Promise<void>;
  close(): void;
}

/** The mail server refused the recipient for good: sending the same message again cannot help. */
export class RecipientRejectedError extends Error {
  override readonly name = 'RecipientRejectedError';
}
