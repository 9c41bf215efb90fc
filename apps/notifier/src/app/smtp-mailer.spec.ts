import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { RecipientRejectedError } from './mailer';
import { SmtpMailer } from './smtp-mailer';

/** A real SMTP server on loopback that keeps what it receives and refuses one address. */
async function startServer() {
  const received: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === 'gone@example.com') {
        return callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { received, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('SmtpMailer', () => {
  it('hands the email to the server', async () => {
    const server = await startServer();
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${server.port}`, 'webhooks <webhooks@example.com>');
    try {
      await mailer.send({ to: 'ops@example.com', subject: 'Webhook x is failing', text: 'hello\n' });
      expect(server.received).toHaveLength(1);
      expect(server.received[0].to).toEqual(['ops@example.com']);
      expect(server.received[0].raw).toContain('Subject: Webhook x is failing');
      expect(server.received[0].raw).toMatch(/^Auto-Submitted: auto-generated/im);
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('says when the server refuses the recipient for good', async () => {
    const server = await startServer();
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${server.port}`, 'webhooks@example.com');
    try {
      await expect(mailer.send({ to: 'gone@example.com', subject: 's', text: 't' })).rejects.toBeInstanceOf(
        RecipientRejectedError,
      );
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('fails with an ordinary error when no server answers, so the caller retries', async () => {
    const server = await startServer();
    await server.close();
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${server.port}`, 'webhooks@example.com');
    const failure = mailer.send({ to: 'ops@example.com', subject: 's', text: 't' });
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
    await expect(failure).rejects.not.toBeInstanceOf(RecipientRejectedError);
    mailer.close();
  });
});
