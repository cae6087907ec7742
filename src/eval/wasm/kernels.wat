;; Kernels in WebAssembly with f64x2 SIMD: the matrix products of
;; src/eval/matmul.ts and the elementwise tanh of src/eval/arrays.ts. Each
;; computes the very bits its plain-JavaScript twin does.
;;
;; Matrix products. Every output element is accumulated exactly as the
;; plain-JavaScript kernels do it: start from +0, add op(A)[i,p]·op(B)[p,j] for
;; p = 0, 1, …, k−1, one multiply and one add each (no fused multiply-add), so
;; the results are the same bits. SIMD lanes and register blocks hold
;; different output elements, never partial sums of one.
;;
;; Addresses are in bytes into the exported memory; the caller copies the
;; operands in and the result out. A kernel may read up to 7 doubles past an
;; operand's last row and up to 3 rows past op(A)'s last row (those lanes feed
;; only outputs it does not store), so the caller leaves that much room.
;; Assembled by scripts/assemble-wasm.ts into kernels.bytes.ts.
(module
  (memory (export "memory") 1)

  ;; Store the first w (1..4) of the four doubles lo, hi at address c.
  (func $store4 (param $c i32) (param $lo v128) (param $hi v128) (param $w i32)
    (if (i32.ge_u (local.get $w) (i32.const 4))
      (then
        (v128.store (local.get $c) (local.get $lo))
        (v128.store offset=16 (local.get $c) (local.get $hi))
        (return)))
    (if (i32.ge_u (local.get $w) (i32.const 2))
      (then
        (v128.store (local.get $c) (local.get $lo))
        (if (i32.eq (local.get $w) (i32.const 3))
          (then (f64.store offset=16 (local.get $c) (f64x2.extract_lane 0 (local.get $hi)))))
        (return)))
    (f64.store (local.get $c) (f64x2.extract_lane 0 (local.get $lo))))

  ;; C (m×n, row-major at c) = op(A)·B with B k×n row-major at b, and
  ;; op(A)[i,p] at a + i·ai + p·ap (bytes): ai = 8k, ap = 8 for A stored m×k;
  ;; ai = 8, ap = 8m for A stored k×m (C = Aᵀ·B). Blocks of 4 rows × 4 columns
  ;; held in eight f64x2 accumulators across the whole p loop.
  (func (export "mm")
    (param $a i32) (param $ai i32) (param $ap i32) (param $b i32) (param $c i32)
    (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $p i32) (local $pa i32) (local $pb i32) (local $pc i32)
    (local $ai2 i32) (local $ai3 i32) (local $ldb i32) (local $w i32) (local $rows i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ai2 (i32.shl (local.get $ai) (i32.const 1)))
    (local.set $ai3 (i32.add (local.get $ai2) (local.get $ai)))
    (local.set $ldb (i32.shl (local.get $n) (i32.const 3)))
    (block $rowsDone
      (loop $rowBlocks
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $colBlocks
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0)) (local.set $c11 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0)) (local.set $c21 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0)) (local.set $c31 (v128.const i64x2 0 0))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ai))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $p (local.get $k))
            (block $pDone
              (br_if $pDone (i32.eqz (local.get $p)))
              (loop $ps
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $x (f64x2.splat (f64.load (local.get $pa))))
                (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (f64x2.splat (f64.load (i32.add (local.get $pa) (local.get $ai)))))
                (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (f64x2.splat (f64.load (i32.add (local.get $pa) (local.get $ai2)))))
                (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (f64x2.splat (f64.load (i32.add (local.get $pa) (local.get $ai3)))))
                (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $pa (i32.add (local.get $pa) (local.get $ap)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br_if $ps (local.get $p))))
            ;; store the rows and columns that exist
            (local.set $w (i32.sub (local.get $n) (local.get $j)))
            (local.set $rows (i32.sub (local.get $m) (local.get $i)))
            (local.set $pc (i32.add (local.get $c)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3))))
            (call $store4 (local.get $pc) (local.get $c00) (local.get $c01) (local.get $w))
            (if (i32.gt_u (local.get $rows) (i32.const 1))
              (then
                (local.set $pc (i32.add (local.get $pc) (local.get $ldb)))
                (call $store4 (local.get $pc) (local.get $c10) (local.get $c11) (local.get $w))))
            (if (i32.gt_u (local.get $rows) (i32.const 2))
              (then
                (local.set $pc (i32.add (local.get $pc) (local.get $ldb)))
                (call $store4 (local.get $pc) (local.get $c20) (local.get $c21) (local.get $w))))
            (if (i32.gt_u (local.get $rows) (i32.const 3))
              (then
                (local.set $pc (i32.add (local.get $pc) (local.get $ldb)))
                (call $store4 (local.get $pc) (local.get $c30) (local.get $c31) (local.get $w))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $colBlocks)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rowBlocks))))

  ;; The matrix-vector form: c (m) = Mᵀ·x with M k×m row-major at a and x (k)
  ;; at b, so c[i] = Σₚ M[p,i]·x[p]: a column-vector product Aᵀ·v (M = A) or a
  ;; row-vector product vᵀ·B (M = B). Eight outputs in four f64x2
  ;; accumulators per sweep over p.
  (func (export "mv") (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32)
    (local $i i32) (local $p i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $lda i32) (local $w i32)
    (local $x v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $lda (i32.shl (local.get $m) (i32.const 3)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $c0 (v128.const i64x2 0 0)) (local.set $c1 (v128.const i64x2 0 0))
        (local.set $c2 (v128.const i64x2 0 0)) (local.set $c3 (v128.const i64x2 0 0))
        (local.set $pa (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $pb (local.get $b))
        (local.set $p (local.get $k))
        (block $pDone
          (br_if $pDone (i32.eqz (local.get $p)))
          (loop $ps
            (local.set $x (f64x2.splat (f64.load (local.get $pb))))
            (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (v128.load (local.get $pa)) (local.get $x))))
            (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (v128.load offset=16 (local.get $pa)) (local.get $x))))
            (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (v128.load offset=32 (local.get $pa)) (local.get $x))))
            (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (v128.load offset=48 (local.get $pa)) (local.get $x))))
            (local.set $pa (i32.add (local.get $pa) (local.get $lda)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 8)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br_if $ps (local.get $p))))
        (local.set $w (i32.sub (local.get $m) (local.get $i)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 3))))
        (call $store4 (local.get $pc) (local.get $c0) (local.get $c1) (local.get $w))
        (if (i32.gt_u (local.get $w) (i32.const 4))
          (then (call $store4 (i32.add (local.get $pc) (i32.const 32)) (local.get $c2) (local.get $c3)
            (i32.sub (local.get $w) (i32.const 4)))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $blocks))))

  ;; tanh in place on the n doubles at address p, two at a time (for an odd n
  ;; the last pair reads and writes one double past the end: the caller
  ;; leaves room). The same operations in the same order as `tanh` in
  ;; src/graph/primitives.ts, so the same bits: a = min(|x|, 22) (pmin and
  ;; pmax are one instruction each and agree with Math.min and Math.max for
  ;; every x but ±0, which is handled apart, and keep a NaN),
  ;; t = e^(−2a) − 1 by reduction to r = −2a − k·ln 2 and Estrin's form of the
  ;; degree-13 Taylor polynomial, tanh = −t/(t + 2) with the sign of x; x itself
  ;; where it is ±0. 2ᵏ is built from its exponent bits (the JavaScript reads a
  ;; table of the same numbers), and the sign is set with a bit (the JavaScript
  ;; multiplies by ±1: the same result, since −t/(t + 2) > 0).
  (func (export "tanh") (param $p i32) (param $n i32)
    (local $end i32) (local $x v128) (local $c v128) (local $a v128) (local $y v128) (local $kd v128) (local $k v128) (local $r v128)
    (local $r2 v128) (local $r4 v128) (local $r8 v128) (local $q v128) (local $s v128) (local $t v128) (local $z v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $c (f64x2.pmin (f64x2.pmax (local.get $x) (v128.const f64x2 -22 -22)) (v128.const f64x2 22 22)))
        (local.set $a (f64x2.abs (local.get $c)))
        (local.set $y (f64x2.mul (v128.const f64x2 -2 -2) (local.get $a)))
        (local.set $kd (f64x2.add (f64x2.mul (local.get $y) (v128.const f64x2 1.44269504088896338700 1.44269504088896338700)) (v128.const f64x2 6755399441055744 6755399441055744)))
        (local.set $k (f64x2.sub (local.get $kd) (v128.const f64x2 6755399441055744 6755399441055744)))
        (local.set $r (f64x2.sub (f64x2.sub (local.get $y) (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-1 6.93147180369123816490e-1))) (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
        (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
        (local.set $r8 (f64x2.mul (local.get $r4) (local.get $r4)))
        ;; q = E0 + E1 r + (E2 + E3 r) r2 + (E4 + E5 r + (E6 + E7 r) r2) r4 + (E8 + E9 r + (E10 + E11 r) r2) r8, left to right
        (local.set $q
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (v128.const f64x2 0x1.5555555555555p-3 0x1.5555555555555p-3) (local.get $r)))
                (f64x2.mul (f64x2.add (v128.const f64x2 0x1.5555555555555p-5 0x1.5555555555555p-5) (f64x2.mul (v128.const f64x2 0x1.1111111111111p-7 0x1.1111111111111p-7) (local.get $r))) (local.get $r2)))
              (f64x2.mul
                (f64x2.add
                  (f64x2.add (v128.const f64x2 0x1.6c16c16c16c17p-10 0x1.6c16c16c16c17p-10) (f64x2.mul (v128.const f64x2 0x1.a01a01a01a01ap-13 0x1.a01a01a01a01ap-13) (local.get $r)))
                  (f64x2.mul (f64x2.add (v128.const f64x2 0x1.a01a01a01a01ap-16 0x1.a01a01a01a01ap-16) (f64x2.mul (v128.const f64x2 0x1.71de3a556c734p-19 0x1.71de3a556c734p-19) (local.get $r))) (local.get $r2)))
                (local.get $r4)))
            (f64x2.mul
              (f64x2.add
                (f64x2.add (v128.const f64x2 0x1.27e4fb7789f5cp-22 0x1.27e4fb7789f5cp-22) (f64x2.mul (v128.const f64x2 0x1.ae64567f544e4p-26 0x1.ae64567f544e4p-26) (local.get $r)))
                (f64x2.mul (f64x2.add (v128.const f64x2 0x1.1eed8eff8d898p-29 0x1.1eed8eff8d898p-29) (f64x2.mul (v128.const f64x2 0x1.6124613a86d09p-33 0x1.6124613a86d09p-33) (local.get $r))) (local.get $r2)))
              (local.get $r8))))
        ;; s = 2^k from the exponent bits
        ;; kd = 1.5·2⁵² + k, so its bits less those of 1.5·2⁵² are k, and (k + 1023) << 52 is 2ᵏ
        (local.set $s (i64x2.shl (i64x2.add (i64x2.sub (local.get $kd) (v128.const i64x2 0x4338000000000000 0x4338000000000000)) (v128.const i64x2 1023 1023)) (i32.const 52)))
        (local.set $t (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $r) (f64x2.mul (local.get $r2) (local.get $q)))) (f64x2.sub (local.get $s) (v128.const f64x2 1 1))))
        (local.set $z (f64x2.div (f64x2.neg (local.get $t)) (f64x2.add (local.get $t) (v128.const f64x2 2 2))))
        ;; the sign of x, and x itself where it is ±0
        (local.set $z (v128.or (local.get $z) (v128.and (local.get $c) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))
        (local.set $z (v128.bitselect (local.get $x) (local.get $z) (f64x2.eq (local.get $x) (v128.const f64x2 0 0))))
        (v128.store (local.get $p) (local.get $z))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next))))
)
