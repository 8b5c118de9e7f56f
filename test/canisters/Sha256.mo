// SHA-256 (FIPS 180-4) of a Blob: what HTTP certification hashes bodies, expressions and trees with.
import Blob "mo:core/Blob";
import Nat32 "mo:core/Nat32";
import Nat8 "mo:core/Nat8";
import VarArray "mo:core/VarArray";

module {
  let k : [Nat32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];

  public func hash(data : Blob) : Blob {
    let bytes = Blob.toArray(data);
    let size = bytes.size();
    // The message, a 0x80 byte, zeros, and the length in bits (big-endian, 8 bytes), in 64-byte blocks.
    let padded = ((size + 9 + 63) / 64) * 64;
    let bits = size * 8;
    func byteAt(i : Nat) : Nat32 {
      if (i < size) return Nat8.toNat32(bytes[i]);
      if (i == size) return 0x80;
      if (i + 8 >= padded) return Nat32.fromNat((bits / (256 ** (padded - 1 - i))) % 256);
      0;
    };
    let h = VarArray.fromArray<Nat32>([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    let w = VarArray.repeat<Nat32>(0, 64);
    var block = 0;
    while (block < padded) {
      for (t in w.keys()) {
        if (t < 16) {
          let i = block + 4 * t;
          w[t] := (byteAt(i) << 24) | (byteAt(i + 1) << 16) | (byteAt(i + 2) << 8) | byteAt(i + 3);
        } else {
          let s0 = (w[t - 15] <>> 7) ^ (w[t - 15] <>> 18) ^ (w[t - 15] >> 3);
          let s1 = (w[t - 2] <>> 17) ^ (w[t - 2] <>> 19) ^ (w[t - 2] >> 10);
          w[t] := w[t - 16] +% s0 +% w[t - 7] +% s1;
        };
      };
      var a = h[0];
      var b = h[1];
      var c = h[2];
      var d = h[3];
      var e = h[4];
      var f = h[5];
      var g = h[6];
      var hh = h[7];
      for (t in w.keys()) {
        let s1 = (e <>> 6) ^ (e <>> 11) ^ (e <>> 25);
        let choice = (e & f) ^ (^e & g);
        let t1 = hh +% s1 +% choice +% k[t] +% w[t];
        let s0 = (a <>> 2) ^ (a <>> 13) ^ (a <>> 22);
        let majority = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0 +% majority;
        hh := g;
        g := f;
        f := e;
        e := d +% t1;
        d := c;
        c := b;
        b := a;
        a := t1 +% t2;
      };
      h[0] +%= a;
      h[1] +%= b;
      h[2] +%= c;
      h[3] +%= d;
      h[4] +%= e;
      h[5] +%= f;
      h[6] +%= g;
      h[7] +%= hh;
      block += 64;
    };
    let out = VarArray.repeat<Nat8>(0, 32);
    for (i in out.keys()) {
      out[i] := Nat32.toNat8((h[i / 4] >> Nat32.fromNat(24 - 8 * (i % 4))) & 0xff);
    };
    Blob.fromVarArray(out);
  };
};
