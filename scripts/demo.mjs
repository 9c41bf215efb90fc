// A connection to a local receiver, a few sample events, and the deliveries as they arrive.
import { createServer } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';

const RECEIVER_PORT = 4000;

export async function runDemo(env) {
  const received = [];
  const receiver = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      received.push(1);
      console.log(`[receiver] ${request.headers['webhook-id']}  ${Buffer.concat(chunks).toString()}`);
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(RECEIVER_PORT, '127.0.0.1', resolve));

  const apiKey = env.ADMIN_API_KEYS.split(',')[0].split(':').slice(1).join(':');
  const project = env.ADMIN_API_KEYS.split(',')[0].split(':')[0];
  const response = await fetch('http://127.0.0.1:3000/v1/connections', {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'demo receiver',
      url: `http://127.0.0.1:${RECEIVER_PORT}/hook`,
      auth: { type: 'none' },
      messageEvents: ['message_send', 'message_open', 'message_click'],
      channels: ['email', 'sms'],
    }),
  });
  if (!response.ok)
    throw new Error(`creating the connection answered ${response.status}: ${await response.text()}`);
  const connection = await response.json();
  console.log(`[demo] connection ${connection.id} → http://127.0.0.1:${RECEIVER_PORT}/hook`);
  // Give every service a moment to pick the new connection up from the change feed.
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const kafka = new Kafka({
    brokers: env.KAFKA_BROKERS.split(','),
    clientId: 'demo',
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  const events = ['message_send', 'message_open', 'message_click'].map((event, index) => ({
    key: `p-${index}`,
    value: JSON.stringify({
      event,
      time: Math.floor(Date.now() / 1000),
      project_id: project,
      properties: {
        message_type: 'email',
        campaign_id: '12345',
        profile_id: `p-${index}`,
        user_id: `user-${index}`,
        email: `jane${index}@example.com`,
      },
    }),
  }));
  await producer.send({ topic: 'campaign.message-events', messages: events });
  await producer.disconnect();
  console.log(`[demo] published ${events.length} message events; deliveries appear above as they arrive`);
}
