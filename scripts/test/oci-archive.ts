/**
 * A small OCI image layout archive, laid out as `docker buildx build --output type=oci,dest=…`
 * writes one (index.json, oci-layout, blobs/sha256/…, tarred), for pushing to an emulated ECR.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OciArchive {
  readonly path: string;
  /** The image manifest's digest: what ECR reports for the image once pushed. */
  readonly digest: string;
  readonly layerDigests: readonly string[];
}

const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * An image with one layer per entry of `layers` (their bytes are not a real tar: nothing
 * unpacks them), for linux/arm64; with `index: true` the top level is an image index listing
 * an amd64 manifest too, as a multi-platform build would write.
 */
export function writeOciArchive(
  path: string,
  layers: readonly Uint8Array[],
  options: { index?: boolean; label?: string } = {},
): OciArchive {
  const dir = mkdtempSync(join(tmpdir(), 'picus-oci-'));
  try {
    const blobs = join(dir, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const put = (data: Uint8Array | string) => {
      const digest = sha256(data);
      writeFileSync(join(blobs, digest.slice('sha256:'.length)), data);
      return { digest, size: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
    };
    const manifestFor = (architecture: string) => {
      const config = put(
        JSON.stringify({
          architecture,
          os: 'linux',
          config: { Labels: { 'org.opencontainers.image.title': options.label ?? 'picus-test' } },
          rootfs: { type: 'layers', diff_ids: layers.map((layer) => sha256(layer)) },
        }),
      );
      const manifest = put(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: layers.map((layer) => ({
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            ...put(layer),
          })),
        }),
      );
      return {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...manifest,
        platform: { architecture, os: 'linux' },
      };
    };
    const arm64 = manifestFor('arm64');
    let top = arm64;
    if (options.index) {
      const index = put(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [manifestFor('amd64'), arm64],
        }),
      );
      top = { mediaType: 'application/vnd.oci.image.index.v1+json', ...index } as typeof arm64;
    }
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [top],
      }),
    );
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    const tar = Bun.spawnSync(['tar', '-cf', path, '-C', dir, 'index.json', 'oci-layout', 'blobs']);
    if (tar.exitCode !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
    return { path, digest: arm64.digest, layerDigests: layers.map((layer) => sha256(layer)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
