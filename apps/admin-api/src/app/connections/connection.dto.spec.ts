import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CreateConnectionDto } from './connection.dto';
import { PatchConnectionDto } from './connection-patch.dto';
import { validationPipe } from '../validation';

const valid = {
  name: 'CRM sync',
  url: 'https://hooks.example.com/xp',
  auth: { type: 'none' },
  messageEvents: ['message_send'],
  channels: ['email'],
};

async function errorsOf(type: typeof CreateConnectionDto | typeof PatchConnectionDto, body: object) {
  const errors = await validate(plainToInstance(type, body), { whitelist: true, forbidNonWhitelisted: true });
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((message) => ({ field: error.property, message })),
    ...(error.children ?? []).flatMap((child) =>
      Object.values(child.constraints ?? {}).map((message) => ({
        field: `${error.property}.${child.property}`,
        message,
      })),
    ),
  ]);
}

describe('connection settings validation outside the container (the strict endpoint policy)', () => {
  it('accepts valid settings', async () => {
    expect(await errorsOf(CreateConnectionDto, valid)).toEqual([]);
  });

  it('refuses an http:// endpoint and token URL, with the other bad fields', async () => {
    const errors = await errorsOf(CreateConnectionDto, {
      ...valid,
      url: 'http://hooks.example.com/xp',
      auth: { type: 'oauth2', tokenUrl: 'https://10.1.2.3/token', clientId: 'c', clientSecret: 's' },
      channels: ['fax'],
    });

    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'url', message: 'URL must be a full https:// URL' },
        { field: 'auth.tokenUrl', message: expect.stringMatching(/not a public address: private network/) },
        { field: 'channels', message: expect.stringMatching(/unknown channels "fax"/) },
      ]),
    );
    expect(errors).toHaveLength(3);
  });

  it('refuses a name listed twice, and names a few of many unknown ones', async () => {
    const errors = await errorsOf(CreateConnectionDto, {
      ...valid,
      messageEvents: Array.from({ length: 20_000 }, () => 'message_send'),
      subscriptionEvents: ['message_opt_in', 'message_opt_in'],
      channels: Array.from({ length: 7 }, (_, index) => `fax-${index}`),
    });

    expect(errors).toEqual([
      { field: 'messageEvents', message: 'messageEvents must name each message event once' },
      {
        field: 'channels',
        message: expect.stringMatching(
          /^channels has unknown channels "fax-0", .*"fax-4", and 2 more; known: /,
        ),
      },
      { field: 'subscriptionEvents', message: 'subscriptionEvents must name each subscription event once' },
    ]);
  });

  it('refuses credentials a request could not carry, and control characters in the name', async () => {
    expect(
      await errorsOf(CreateConnectionDto, {
        ...valid,
        name: 'CRM\u0001sync',
        // Basic auth encodes the password, so any character goes there.
        auth: { type: 'basic', username: 'ops:admin', password: 'pass\r\n\u2019' },
      }),
    ).toEqual([
      { field: 'name', message: 'name must not contain control characters' },
      {
        field: 'auth.username',
        message: 'username must not contain a colon (Basic auth puts one after it)',
      },
    ]);
    const headerOnly = 'token must hold only characters a header value may (printable ASCII, Latin-1, tab)';
    for (const token of ['abc\ndef', 'it\u2019s']) {
      expect(await errorsOf(PatchConnectionDto, { auth: { type: 'bearer', token } })).toEqual([
        { field: 'auth.token', message: headerOnly },
      ]);
    }
    expect(await errorsOf(PatchConnectionDto, { auth: { type: 'bearer', token: 'a\tb\u00e9' } })).toEqual([]);
  });

  it('checks a URL given to PATCH the same way, and lets a PATCH leave it out', async () => {
    expect(await errorsOf(PatchConnectionDto, { url: 'https://localhost/hook' })).toEqual([
      { field: 'url', message: 'URL host must not be localhost' },
    ]);
    expect(await errorsOf(PatchConnectionDto, { name: 'renamed' })).toEqual([]);
  });

  it('refuses null for a PATCH setting that cannot be empty, and accepts it for notifyOnErrorEmail', async () => {
    expect(
      (await errorsOf(PatchConnectionDto, { name: null, channels: null })).map((error) => error.field),
    ).toEqual(expect.arrayContaining(['name', 'channels']));
    expect(await errorsOf(PatchConnectionDto, { notifyOnErrorEmail: null })).toEqual([]);
  });

  it('refuses a notifyOnErrorEmail the mailer would not send to as shown, on create and on PATCH', async () => {
    // IsEmail accepts each of these; the mailer strips or splits them, so alerts would go elsewhere.
    const refused: Array<[string, string]> = [
      ['"x\r\nBcc: y@evil.com"@example.com', 'notifyOnErrorEmail must not contain control characters'],
      ['ops\u007f@example.com', 'notifyOnErrorEmail must not contain control characters'],
      [
        '"victim@evil.com,"@example.com',
        'notifyOnErrorEmail must not have a quoted local part (the part before the @)',
      ],
      ['"ops"@example.com', 'notifyOnErrorEmail must not have a quoted local part (the part before the @)'],
      ['"a b"@example.com', 'notifyOnErrorEmail must not contain whitespace'],
      ['ops\u3000@example.com', 'notifyOnErrorEmail must not contain whitespace'],
      ['ops\u2028@example.com', 'notifyOnErrorEmail must not contain whitespace'],
    ];
    for (const [notifyOnErrorEmail, message] of refused) {
      for (const [type, body] of [
        [CreateConnectionDto, { ...valid, notifyOnErrorEmail }],
        [PatchConnectionDto, { notifyOnErrorEmail }],
      ] as const) {
        expect({ notifyOnErrorEmail, errors: await errorsOf(type, body) }).toEqual({
          notifyOnErrorEmail,
          errors: expect.arrayContaining([{ field: 'notifyOnErrorEmail', message }]),
        });
      }
    }
    // The request is a 400 naming the field, with its first failing rule only.
    const answer = await validationPipe()
      .transform(
        { notifyOnErrorEmail: '"x\r\nBcc: y@evil.com"@example.com' },
        { type: 'body', metatype: PatchConnectionDto },
      )
      .catch((error: BadRequestException) => error);
    expect(answer).toBeInstanceOf(BadRequestException);
    expect((answer as BadRequestException).getResponse()).toMatchObject({
      statusCode: 400,
      errors: [
        { field: 'notifyOnErrorEmail', message: 'notifyOnErrorEmail must not contain control characters' },
      ],
    });
  });

  it('accepts ordinary notifyOnErrorEmail addresses', async () => {
    for (const notifyOnErrorEmail of [
      'ops@example.com',
      'ops+alerts@example.com',
      'first.last@mail.example.co.uk',
      "o'brien@example.com",
      'ops@b\u00fccher.de',
      'ops@xn--bcher-kva.de',
    ]) {
      expect({
        notifyOnErrorEmail,
        errors: await errorsOf(PatchConnectionDto, { notifyOnErrorEmail }),
      }).toEqual({ notifyOnErrorEmail, errors: [] });
      expect(await errorsOf(CreateConnectionDto, { ...valid, notifyOnErrorEmail })).toEqual([]);
    }
  });

  it('refuses auth given as an array, on create and on PATCH', async () => {
    for (const auth of [[], [{ type: 'none' }]]) {
      expect(await errorsOf(CreateConnectionDto, { ...valid, auth })).toContainEqual({
        field: 'auth',
        message: 'auth must be an object',
      });
      expect(await errorsOf(PatchConnectionDto, { auth })).toContainEqual({
        field: 'auth',
        message: 'auth must be an object',
      });
    }
  });
});
