/** Missive-shaped ids drawn from the sandbox's seeded stream (see ../sandbox-kit/random.ts). */
import type { Random } from '../sandbox-kit/random.ts';

export { seededRandom, type Random } from '../sandbox-kit/random.ts';

/** UUID v4-shaped ids like Missive's, drawn from a seeded stream. */
export function uuidGenerator(random: Random): () => string {
  const hex32 = () =>
    Math.floor(random() * 4_294_967_296)
      .toString(16)
      .padStart(8, '0');
  return () => {
    const h = hex32() + hex32() + hex32() + hex32();
    const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
}
