// SHA-256 (FIPS 180-4): certification hashes header maps, expressions and bodies.
import Array "mo:core/Array";
import Blob "mo:core/Blob";
import Nat32 "mo:core/Nat32";
import Nat8 "mo:core/Nat8";
import Nat64 "mo:core/Nat64";
import Nat "mo:core/Nat";
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

  /// An incremental hasher, so that chunked content is hashed without joining it.
  public class Digest() {
    let state : [var Nat32] = [var 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let block : [var Nat8] = VarArray.repeat<Nat8>(0, 64);
    let w : [var Nat32] = VarArray.repeat<Nat32>(0, 64);
    var filled = 0;
    var length : Nat64 = 0;

    func compress() {
      var t = 0;
      while (t < 16) {
        let i = t * 4;
        w[t] := (Nat32.fromNat(Nat8.toNat(block[i])) << 24) | (Nat32.fromNat(Nat8.toNat(block[i + 1])) << 16) | (Nat32.fromNat(Nat8.toNat(block[i + 2])) << 8) | Nat32.fromNat(Nat8.toNat(block[i + 3]));
        t += 1;
      };
      while (t < 64) {
        let s0 = (w[t - 15] <>> 7) ^ (w[t - 15] <>> 18) ^ (w[t - 15] >> 3);
        let s1 = (w[t - 2] <>> 17) ^ (w[t - 2] <>> 19) ^ (w[t - 2] >> 10);
        w[t] := w[t - 16] +% s0 +% w[t - 7] +% s1;
        t += 1;
      };
      var a = state[0];
      var b = state[1];
      var c = state[2];
      var d = state[3];
      var e = state[4];
      var f = state[5];
      var g = state[6];
      var h = state[7];
      t := 0;
      while (t < 64) {
        let s1 = (e <>> 6) ^ (e <>> 11) ^ (e <>> 25);
        let ch = (e & f) ^ ((^ e) & g);
        let t1 = h +% s1 +% ch +% k[t] +% w[t];
        let s0 = (a <>> 2) ^ (a <>> 13) ^ (a <>> 22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0 +% maj;
        h := g;
        g := f;
        f := e;
        e := d +% t1;
        d := c;
        c := b;
        b := a;
        a := t1 +% t2;
        t += 1;
      };
      state[0] +%= a;
      state[1] +%= b;
      state[2] +%= c;
      state[3] +%= d;
      state[4] +%= e;
      state[5] +%= f;
      state[6] +%= g;
      state[7] +%= h;
    };

    func push(byte : Nat8) {
      block[filled] := byte;
      filled += 1;
      if (filled == 64) {
        compress();
        filled := 0;
      };
    };

    public func write(data : Blob) {
      for (byte in data.vals()) push(byte);
      length +%= Nat64.fromNat(data.size());
    };

    public func writeBytes(data : [Nat8]) {
      for (byte in data.vals()) push(byte);
      length +%= Nat64.fromNat(data.size());
    };

    public func sum() : Blob {
      let bits = length *% 8;
      push(0x80);
      while (filled != 56) push(0);
      var shift : Nat64 = 56;
      var i = 0;
      while (i < 8) {
        push(Nat8.fromNat(Nat64.toNat((bits >> shift) & 0xff)));
        shift -%= 8;
        i += 1;
      };
      let out = VarArray.repeat<Nat8>(0, 32);
      for (j in Nat.range(0, 8)) {
        let word = state[j];
        out[j * 4] := Nat8.fromNat(Nat32.toNat(word >> 24));
        out[j * 4 + 1] := Nat8.fromNat(Nat32.toNat((word >> 16) & 0xff));
        out[j * 4 + 2] := Nat8.fromNat(Nat32.toNat((word >> 8) & 0xff));
        out[j * 4 + 3] := Nat8.fromNat(Nat32.toNat(word & 0xff));
      };
      Blob.fromArray(Array.fromVarArray(out));
    };
  };

  public func hash(data : Blob) : Blob {
    let digest = Digest();
    digest.write(data);
    digest.sum();
  };

  public func hashBytes(data : [Nat8]) : Blob {
    let digest = Digest();
    digest.writeBytes(data);
    digest.sum();
  };
};
