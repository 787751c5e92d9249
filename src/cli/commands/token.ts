// `runlane token`: mints an HS256 JWT with the configured secret, for trying the API and rooms locally.
import { SignJWT } from 'jose';
import { loadConfig } from '../../config/index.js';
import { ACT_AS_ROLES } from '../../domain/identity.js';
import type { CliCommand } from '../cli-context.js';
import { CliUsageError } from '../cli-usage-error.js';

const TOKEN_ROLES = ['user', 'teacher', 'admin', 'service'] as const;
const TTL_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400 };

interface TokenOptions {
  sub?: string;
  role: string;
  name?: string;
  picture?: string;
  maxActAsRole?: string;
  ttl: string;
}

/** `90`, `30s`, `15m`, `1h`, `7d` → seconds; refuses anything else by the flag's name. */
export function parseTtl(text: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * TTL_UNITS[match[2] || 's']! : 0;
  if (seconds <= 0) throw new CliUsageError(`--ttl ${text}: use a positive duration such as 30m, 1h or 7d`);
  return seconds;
}

/** The signed token's claims as `runlane token` sets them. */
export async function mintToken(secret: string, options: TokenOptions, now = Math.floor(Date.now() / 1000)): Promise<string> {
  if (!options.sub || options.sub.trim() === '') throw new CliUsageError('--sub <user id> is required');
  if (!TOKEN_ROLES.includes(options.role as (typeof TOKEN_ROLES)[number])) throw new CliUsageError(`--role ${options.role}: use one of ${TOKEN_ROLES.join(', ')}`);
  if (options.maxActAsRole !== undefined && !ACT_AS_ROLES.includes(options.maxActAsRole as (typeof ACT_AS_ROLES)[number])) {
    throw new CliUsageError(`--max-act-as-role ${options.maxActAsRole}: use one of ${ACT_AS_ROLES.join(', ')}`);
  }
  const claims = {
    role: options.role,
    ...(options.name ? { name: options.name } : {}),
    ...(options.picture ? { picture: options.picture } : {}),
    ...(options.maxActAsRole ? { maxActAsRole: options.maxActAsRole } : {}),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + parseTtl(options.ttl))
    .sign(new TextEncoder().encode(secret));
}

export const tokenCommand: CliCommand = {
  name: 'token',
  register(program, context) {
    program
      .command('token')
      .description('Print an HS256 JWT signed with the configured auth.jwtSecret (JWT_SECRET), for local use')
      .option('--sub <user id>', 'the user id (`sub` claim)')
      .option('--role <role>', `the role: ${TOKEN_ROLES.join(', ')}`, 'user')
      .option('--name <name>', 'display name (`name` claim)')
      .option('--picture <url>', 'avatar URL (`picture` claim)')
      .option('--max-act-as-role <role>', 'service tokens: the highest role actAs may give (default user)')
      .option('--ttl <duration>', 'lifetime: 30s, 15m, 1h, 7d', '1h')
      .action(async (options: TokenOptions) => {
        const config = loadConfig({ file: program.opts<{ config?: string }>().config ?? null, env: context.env, listens: false });
        const secret = config.auth.jwtSecret;
        if (!secret) {
          throw new CliUsageError('no JWT secret is configured: set JWT_SECRET (or auth.jwtSecret in the config file, at least 16 characters) to the server\'s secret');
        }
        context.stdout.write(`${await mintToken(secret, options)}\n`);
      });
  },
};
