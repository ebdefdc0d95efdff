/**
 * The emulator's TLS material: one CA and one server certificate per state dir, made
 * once with the openssl CLI and reused by every node of every group (like AWS, whose
 * nodes all present certificates from one public CA). Keys are 0600 and live only in
 * the state dir, never in the repository.
 *
 * The server certificate names every address Describe reports (the emulator's host,
 * localhost, 127.0.0.1, ::1), so a client that verifies host names accepts it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface TlsMaterial {
  dir: string;
  caCertFile: string;
  certFile: string;
  keyFile: string;
}

export function tlsDir(stateDir: string): string {
  return join(stateDir, 'tls');
}

/** Where the CA certificate is (or will be) for a state dir: what `local status` prints. */
export function caCertPath(stateDir: string): string {
  return join(tlsDir(stateDir), 'ca.crt');
}

/** The subjectAltName list for the emulator's host. */
export function subjectAltNames(host: string): string[] {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  names.add(isIP(host) ? `IP:${host}` : `DNS:${host}`);
  return [...names];
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if (result.error)
    throw new Error(`openssl is needed to make the emulator's TLS certificates: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`openssl ${args[0]} failed: ${(result.stderr || '').trim().split('\n').slice(-2).join(' | ')}`);
}

/** Creates the CA and server certificate when missing; returns their paths. */
export function ensureTlsMaterial(stateDir: string, host: string): TlsMaterial {
  const dir = tlsDir(stateDir);
  const material: TlsMaterial = {
    dir,
    caCertFile: caCertPath(stateDir),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
  };
  const sanFile = join(dir, 'san.txt');
  const san = `subjectAltName=${subjectAltNames(host).join(',')}\n`;
  const sameNames = existsSync(sanFile) && readFileSync(sanFile, 'utf8') === san;
  if (sameNames && existsSync(material.caCertFile) && existsSync(material.certFile) && existsSync(material.keyFile))
    return material;

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const caKey = join(dir, 'ca.key');
  if (!existsSync(caKey) || !existsSync(material.caCertFile)) {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', caKey], dir);
    chmodSync(caKey, 0o600);
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        caKey,
        '-sha256',
        '-days',
        '3650',
        '-subj',
        '/CN=elasticache-kit local CA',
        '-out',
        material.caCertFile,
      ],
      dir,
    );
  }
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', material.keyFile], dir);
  chmodSync(material.keyFile, 0o600);
  const csr = join(dir, 'server.csr');
  openssl(['req', '-new', '-key', material.keyFile, '-subj', '/CN=localhost', '-out', csr], dir);
  writeFileSync(sanFile, san, { mode: 0o600 });
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      material.caCertFile,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-days',
      '825',
      '-sha256',
      '-extfile',
      sanFile,
      '-out',
      material.certFile,
    ],
    dir,
  );
  rmSync(csr, { force: true });
  return material;
}

let tlsProbe = new Map<string, boolean>();

/**
 * Whether an engine binary was built with TLS: a build without it refuses the
 * `tls-port` directive; one with it starts, finds nothing to listen on and exits.
 */
export function engineHasTls(binary: string): boolean {
  let known = tlsProbe.get(binary);
  if (known === undefined) {
    const result = spawnSync(binary, ['--port', '0', '--tls-port', '0'], { encoding: 'utf8', timeout: 5000 });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    known = !/Bad directive|wrong number of arguments/i.test(output) && /not listen anywhere/i.test(output);
    tlsProbe.set(binary, known);
  }
  return known;
}

/** For tests: forget probe results. */
export function resetTlsProbe(): void {
  tlsProbe = new Map();
}
