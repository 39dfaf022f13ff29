// A small QR code encoder (ISO/IEC 18004: byte mode, error correction level M, versions 1–40),
// enough to show the two-factor otpauth:// URI as a scannable code without third-party code.
// Exposes window.GavelQR(text) → an <svg> element (or null when the text does not fit).
'use strict';

(() => {
  // Error correction codewords per block and number of blocks, level M, versions 1–40.
  const ECC_PER_BLOCK = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28];
  const BLOCKS = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31,
    33, 35, 37, 38, 40, 43, 45, 47, 49];
  const LEVEL_M_BITS = 0;  // format-information bits of level M

  /** Modules of a version available for data and error correction, in bits. */
  function rawModules(version) {
    let result = (16 * version + 128) * version + 64;
    if (version >= 2) {
      const align = Math.floor(version / 7) + 2;
      result -= (25 * align - 10) * align - 55;
      if (version >= 7) result -= 36;
    }
    return result;
  }

  const dataCodewords = (version) =>
    Math.floor(rawModules(version) / 8) - ECC_PER_BLOCK[version - 1] * BLOCKS[version - 1];

  function alignmentPositions(version) {
    if (version === 1) return [];
    const count = Math.floor(version / 7) + 2;
    const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
    const positions = [6];
    for (let pos = version * 4 + 10; positions.length < count; pos -= step) positions.splice(1, 0, pos);
    return positions;
  }

  // GF(256) arithmetic with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
  function gfMultiply(x, y) {
    let z = 0;
    for (let i = 7; i >= 0; i--) {
      z = (z << 1) ^ ((z >>> 7) * 0x11d);
      z ^= ((y >>> i) & 1) * x;
    }
    return z & 0xff;
  }

  function rsDivisor(degree) {
    const result = new Array(degree).fill(0);
    result[degree - 1] = 1;
    let root = 1;
    for (let i = 0; i < degree; i++) {
      for (let j = 0; j < degree; j++) {
        result[j] = gfMultiply(result[j], root);
        if (j + 1 < degree) result[j] ^= result[j + 1];
      }
      root = gfMultiply(root, 0x02);
    }
    return result;
  }

  function rsRemainder(data, divisor) {
    const result = new Array(divisor.length).fill(0);
    for (const byte of data) {
      const factor = byte ^ result.shift();
      result.push(0);
      divisor.forEach((coefficient, i) => { result[i] ^= gfMultiply(coefficient, factor); });
    }
    return result;
  }

  /** The data codewords followed by their error correction, interleaved by block. */
  function codewords(bytes, version) {
    const blocks = BLOCKS[version - 1];
    const eccLength = ECC_PER_BLOCK[version - 1];
    const raw = Math.floor(rawModules(version) / 8);
    const shortBlocks = blocks - (raw % blocks);
    const shortLength = Math.floor(raw / blocks);
    const divisor = rsDivisor(eccLength);
    const all = [];
    for (let i = 0, k = 0; i < blocks; i++) {
      const length = shortLength - eccLength + (i < shortBlocks ? 0 : 1);
      const data = bytes.slice(k, k + length);
      k += length;
      const block = data.concat(rsRemainder(data, divisor));
      if (i < shortBlocks) block.splice(length, 0, null);  // keeps columns aligned while interleaving
      all.push(block);
    }
    const result = [];
    for (let i = 0; i < all[0].length; i++) {
      for (const block of all) if (block[i] !== null) result.push(block[i]);
    }
    return result;
  }

  function encodeData(text) {
    const bytes = Array.from(new TextEncoder().encode(text));
    let version = 1;
    for (; version <= 40; version++) {
      const countBits = version <= 9 ? 8 : 16;
      if (4 + countBits + bytes.length * 8 <= dataCodewords(version) * 8) break;
    }
    if (version > 40) return null;
    const bits = [];
    const put = (value, length) => { for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
    put(0b0100, 4);
    put(bytes.length, version <= 9 ? 8 : 16);
    for (const byte of bytes) put(byte, 8);
    const capacity = dataCodewords(version) * 8;
    put(0, Math.min(4, capacity - bits.length));
    put(0, (8 - (bits.length % 8)) % 8);
    const data = [];
    for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((acc, bit) => (acc << 1) | bit, 0));
    for (let pad = 0xec; data.length < capacity / 8; pad ^= 0xec ^ 0x11) data.push(pad);
    return {version, codewords: codewords(data, version)};
  }

  class Matrix {
    constructor(version) {
      this.version = version;
      this.size = version * 4 + 17;
      this.dark = Array.from({length: this.size}, () => new Array(this.size).fill(false));
      this.fixed = Array.from({length: this.size}, () => new Array(this.size).fill(false));
    }

    set(x, y, dark) {
      this.dark[y][x] = dark;
      this.fixed[y][x] = true;
    }

    drawFunctionPatterns() {
      const size = this.size;
      for (let i = 0; i < size; i++) {
        this.set(6, i, i % 2 === 0);
        this.set(i, 6, i % 2 === 0);
      }
      for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
        for (let dy = -4; dy <= 4; dy++) {
          for (let dx = -4; dx <= 4; dx++) {
            const x = cx + dx;
            const y = cy + dy;
            if (x < 0 || y < 0 || x >= size || y >= size) continue;
            const distance = Math.max(Math.abs(dx), Math.abs(dy));
            this.set(x, y, distance !== 2 && distance !== 4);
          }
        }
      }
      const positions = alignmentPositions(this.version);
      const last = positions.length - 1;
      positions.forEach((cx, i) => positions.forEach((cy, j) => {
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) this.set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
        }
      }));
      this.drawFormat(0);  // reserves the format areas; drawn for real once the mask is chosen
      this.drawVersion();
    }

    drawFormat(mask) {
      const data = (LEVEL_M_BITS << 3) | mask;
      let remainder = data;
      for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
      const bits = ((data << 10) | remainder) ^ 0x5412;
      const bit = (i) => ((bits >>> i) & 1) === 1;
      const size = this.size;
      for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
      this.set(8, 7, bit(6));
      this.set(8, 8, bit(7));
      this.set(7, 8, bit(8));
      for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
      for (let i = 0; i < 8; i++) this.set(size - 1 - i, 8, bit(i));
      for (let i = 8; i < 15; i++) this.set(8, size - 15 + i, bit(i));
      this.set(8, size - 8, true);  // the dark module
    }

    drawVersion() {
      if (this.version < 7) return;
      let remainder = this.version;
      for (let i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
      const bits = (this.version << 12) | remainder;
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = this.size - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.set(a, b, dark);
        this.set(b, a, dark);
      }
    }

    drawCodewords(data) {
      let i = 0;
      for (let right = this.size - 1; right >= 1; right -= 2) {
        if (right === 6) right = 5;
        for (let vertical = 0; vertical < this.size; vertical++) {
          for (let j = 0; j < 2; j++) {
            const x = right - j;
            const upward = ((right + 1) & 2) === 0;
            const y = upward ? this.size - 1 - vertical : vertical;
            if (!this.fixed[y][x] && i < data.length * 8) {
              this.dark[y][x] = ((data[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
              i++;
            }
          }
        }
      }
    }

    applyMask(mask) {
      const rules = [
        (x, y) => (x + y) % 2 === 0,
        (x, y) => y % 2 === 0,
        (x) => x % 3 === 0,
        (x, y) => (x + y) % 3 === 0,
        (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
        (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
        (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
        (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
      ];
      for (let y = 0; y < this.size; y++) {
        for (let x = 0; x < this.size; x++) {
          if (!this.fixed[y][x] && rules[mask](x, y)) this.dark[y][x] = !this.dark[y][x];
        }
      }
    }

    penalty() {
      const size = this.size;
      const grid = this.dark;
      let score = 0;
      const line = (get) => {
        let runColor = false;
        let run = 0;
        const history = [0, 0, 0, 0, 0, 0, 0];
        const finderLike = () => {
          const n = history[1];
          const core = n > 0 && history[2] === n && history[3] === n * 3 && history[4] === n && history[5] === n;
          return (core && history[0] >= n * 4 && history[6] >= n ? 1 : 0) + (core && history[6] >= n * 4 && history[0] >= n ? 1 : 0);
        };
        const push = (length) => {
          if (history[0] === 0) length += size;  // light border before the first run
          history.pop();
          history.unshift(length);
        };
        for (let i = 0; i < size; i++) {
          if (get(i) === runColor) {
            run++;
            if (run === 5) score += 3;
            else if (run > 5) score++;
          } else {
            push(run);
            if (!runColor) score += finderLike() * 40;
            runColor = get(i);
            run = 1;
          }
        }
        // The end of the line counts as light border.
        if (runColor) {
          push(run);
          run = 0;
        }
        run += size;
        push(run);
        score += finderLike() * 40;
      };
      for (let y = 0; y < size; y++) line((x) => grid[y][x]);
      for (let x = 0; x < size; x++) line((y) => grid[y][x]);
      let dark = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (grid[y][x]) dark++;
          if (x < size - 1 && y < size - 1) {
            const color = grid[y][x];
            if (color === grid[y][x + 1] && color === grid[y + 1][x] && color === grid[y + 1][x + 1]) score += 3;
          }
        }
      }
      const total = size * size;
      score += (Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1) * 10;
      return score;
    }
  }

  /** The module matrix for `text`, or null when it is too long for a QR code. */
  function matrixFor(text, forcedMask) {
    const encoded = encodeData(text);
    if (!encoded) return null;
    let best = null;
    let bestScore = Infinity;
    for (let mask = 0; mask < 8; mask++) {
      if (forcedMask !== undefined && mask !== forcedMask) continue;
      const matrix = new Matrix(encoded.version);
      matrix.drawFunctionPatterns();
      matrix.drawCodewords(encoded.codewords);
      matrix.applyMask(mask);
      matrix.drawFormat(mask);
      const score = matrix.penalty();
      if (score < bestScore) {
        best = matrix;
        bestScore = score;
      }
    }
    return best;
  }

  function svgFor(text) {
    const matrix = matrixFor(text);
    if (!matrix) return null;
    const quiet = 4;
    const extent = matrix.size + quiet * 2;
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${extent} ${extent}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'QR code of the authenticator link');
    svg.setAttribute('shape-rendering', 'crispEdges');
    const background = document.createElementNS(ns, 'rect');
    background.setAttribute('width', String(extent));
    background.setAttribute('height', String(extent));
    background.setAttribute('fill', '#ffffff');
    const path = document.createElementNS(ns, 'path');
    let d = '';
    for (let y = 0; y < matrix.size; y++) {
      for (let x = 0; x < matrix.size; x++) if (matrix.dark[y][x]) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    }
    path.setAttribute('d', d);
    path.setAttribute('fill', '#000000');
    svg.append(background, path);
    return svg;
  }

  svgFor.matrix = matrixFor;  // for tests
  window.GavelQR = svgFor;
})();
