import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { RecipientRejectedError } from './mailer';
import { SmtpMailer } from './smtp-mailer';

/**
 * A real SMTP server on loopback that keeps what it receives and the logins it sees, and refuses
 * one address. Without STARTTLS it is what a mail server looks like once someone in the path has
 * stripped the offer: it takes AUTH in plain text.
 */
async function startServer({ startTls = false } = {}) {
  const received: { to: string[]; raw: string; secure: boolean }[] = [];
  const logins: { username?: string; password?: string | null; secure: boolean }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // with STARTTLS, smtp-server's built-in self-signed certificate for localhost
    disabledCommands: startTls ? [] : ['STARTTLS'],
    logger: false,
    onAuth(auth, session, callback) {
      logins.push({ username: auth.username, password: auth.password, secure: session.secure });
      callback(null, { user: auth.username });
    },
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
          secure: session.secure,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    received,
    logins,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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

  it('sends no credentials to a server that offers no STARTTLS', async () => {
    const server = await startServer();
    const mailer = new SmtpMailer(`smtp://mailer:s3cret@127.0.0.1:${server.port}`, 'webhooks@example.com');
    try {
      const failure = mailer.send({ to: 'ops@example.com', subject: 's', text: 't' });
      await expect(failure).rejects.toThrow(
        /^no STARTTLS with the mail server, and credentials in SMTP_URL go only over TLS: /,
      );
      await expect(failure).rejects.not.toBeInstanceOf(RecipientRejectedError);
      expect(server.logins).toEqual([]);
      expect(server.received).toEqual([]);
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('still sends through a relay without credentials that offers no STARTTLS', async () => {
    const server = await startServer();
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${server.port}`, 'webhooks@example.com');
    try {
      await mailer.send({ to: 'ops@example.com', subject: 's', text: 't' });
      expect(server.received).toMatchObject([{ to: ['ops@example.com'], secure: false }]);
      expect(server.logins).toEqual([]);
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('logs in and sends over TLS after STARTTLS', async () => {
    const server = await startServer({ startTls: true });
    // smtp-server's built-in certificate is self-signed and expired; production keeps verifying
    const url = `smtp://mailer:s3cret@127.0.0.1:${server.port}?tls.rejectUnauthorized=false`;
    const mailer = new SmtpMailer(url, 'webhooks@example.com');
    try {
      await mailer.send({ to: 'ops@example.com', subject: 's', text: 't' });
      expect(server.logins).toEqual([{ username: 'mailer', password: 's3cret', secure: true }]);
      expect(server.received).toMatchObject([{ to: ['ops@example.com'], secure: true }]);
    } finally {
      mailer.close();
      await server.close();
    }
  });

  it('sends credentials in plain text only when the URL says requireTLS=false', async () => {
    const server = await startServer();
    const url = `smtp://mailer:s3cret@127.0.0.1:${server.port}?requireTLS=false`;
    const mailer = new SmtpMailer(url, 'webhooks@example.com');
    try {
      await mailer.send({ to: 'ops@example.com', subject: 's', text: 't' });
      expect(server.logins).toEqual([{ username: 'mailer', password: 's3cret', secure: false }]);
      expect(server.received).toHaveLength(1);
    } finally {
      mailer.close();
      await server.close();
    }
  });
});
