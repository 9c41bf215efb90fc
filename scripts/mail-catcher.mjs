// npm start's stand-in mail server: accepts what the notifier sends and prints who it was for and
// its subject, so notify-on-error can be tried without a real SMTP server.
import { SMTPServer } from 'smtp-server';

export async function startMailCatcher(smtpUrl, print) {
  const { hostname, port } = new URL(smtpUrl);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        const head = Buffer.concat(chunks)
          .toString()
          .split('\r\n\r\n')[0]
          .replace(/\r\n[ \t]+/g, ' ');
        const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
        print(
          `to ${session.envelope.rcptTo.map((rcpt) => rcpt.address).join(', ')}: ${decodeWords(subject)}`,
        );
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(port), hostname, resolve);
  });
  return server;
}

function decodeWords(value) {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?[^?]+\?([QB])\?([^?]*)\?=/gi, (_word, kind, data) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString()
      : Buffer.from(
          data
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_hex, hex) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString(),
  );
}
