import { createTransport, type Transporter } from 'nodemailer';
import { RecipientRejectedError, type Email, type Mailer } from './mailer';

/** Sends through the SMTP server at SMTP_URL, one connection per message (the volume is low). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    // nodemailer waits minutes by default; an alert should not hold its partition that long.
    this.transport = createTransport({
      url,
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
      throw error;
    }
  }

  close(): void {
    this.transport.close();
  }
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
