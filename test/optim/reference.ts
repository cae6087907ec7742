/**
 * Scalar references of PyTorch 1.13's published update rules (NAdam: ≥ 2.0),
 * written from the torch.optim documentation, one element at a time and far
 * simpler than the fused code they check. Each returns the new parameters.
 */
export interface Ref {
  step(p: number[], g: number[]): number[]
}

type Num = number

export const refSgd = (o: { lr: Num; momentum?: Num; dampening?: Num; nesterov?: boolean; weightDecay?: Num }): Ref => {
  const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = o
  let buf: number[] | undefined
  return {
    step(p, g) {
      const d0 = g.map((gi, i) => gi + weightDecay * p[i])
      let d = d0
      if (momentum !== 0) {
        buf = buf === undefined ? d0.slice() : buf.map((b, i) => momentum * b + (1 - dampening) * d0[i])
        const b = buf
        d = nesterov ? d0.map((x, i) => x + momentum * b[i]) : b
      }
      return p.map((x, i) => x - lr * d[i])
    }
  }
}

export const refAdam = (o: { lr?: Num; betas?: [Num, Num]; eps?: Num; weightDecay?: Num; amsgrad?: boolean; decoupled?: boolean }): Ref => {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, decoupled = false } = o
  const [b1, b2] = betas
  let m: number[] = []
  let v: number[] = []
  let vmax: number[] = []
  let t = 0
  return {
    step(p0, g0) {
      t++
      let p = p0
      let g = g0
      if (decoupled) p = p.map((x) => x * (1 - lr * weightDecay))
      else g = g.map((gi, i) => gi + weightDecay * p[i])
      if (t === 1) { m = g.map(() => 0); v = g.map(() => 0); vmax = g.map(() => 0) }
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i])
      v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i])
      vmax = vmax.map((x, i) => Math.max(x, v[i]))
      const bc1 = 1 - b1 ** t
      const bc2 = 1 - b2 ** t
      const r = amsgrad ? vmax : v
      return p.map((x, i) => x - (lr / bc1) * m[i] / (Math.sqrt(r[i]) / Math.sqrt(bc2) + eps))
    }
  }
}

export const refAdagrad = (o: { lr?: Num; lrDecay?: Num; weightDecay?: Num; initialAccumulatorValue?: Num; eps?: Num }): Ref => {
  const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = o
  let sum: number[] | undefined
  let t = 0
  return {
    step(p, g0) {
      t++
      const g = g0.map((gi, i) => gi + weightDecay * p[i])
      const clr = lr / (1 + (t - 1) * lrDecay)
      sum = (sum ?? g.map(() => initialAccumulatorValue)).map((s, i) => s + g[i] * g[i])
      const s = sum
      return p.map((x, i) => x - clr * g[i] / (Math.sqrt(s[i]) + eps))
    }
  }
}

export const refRmsprop = (o: { lr?: Num; alpha?: Num; eps?: Num; weightDecay?: Num; momentum?: Num; centered?: boolean }): Ref => {
  const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = o
  let sq: number[] | undefined
  let ga: number[] | undefined
  let buf: number[] | undefined
  return {
    step(p, g0) {
      const g = g0.map((gi, i) => gi + weightDecay * p[i])
      sq = (sq ?? g.map(() => 0)).map((s, i) => alpha * s + (1 - alpha) * g[i] * g[i])
      ga = (ga ?? g.map(() => 0)).map((a, i) => alpha * a + (1 - alpha) * g[i])
      const s = sq
      const a = ga
      const avg = g.map((_, i) => Math.sqrt(centered ? s[i] - a[i] * a[i] : s[i]) + eps)
      if (momentum > 0) {
        buf = (buf ?? g.map(() => 0)).map((b, i) => momentum * b + g[i] / avg[i])
        const b = buf
        return p.map((x, i) => x - lr * b[i])
      }
      return p.map((x, i) => x - lr * g[i] / avg[i])
    }
  }
}

export const refAdamax = (o: { lr?: Num; betas?: [Num, Num]; eps?: Num; weightDecay?: Num }): Ref => {
  const { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = o
  let m: number[] | undefined
  let u: number[] | undefined
  let t = 0
  return {
    step(p, g0) {
      t++
      const g = g0.map((gi, i) => gi + weightDecay * p[i])
      m = (m ?? g.map(() => 0)).map((x, i) => betas[0] * x + (1 - betas[0]) * g[i])
      u = (u ?? g.map(() => 0)).map((x, i) => Math.max(betas[1] * x, Math.abs(g[i]) + eps))
      const mm = m
      const uu = u
      const clr = lr / (1 - betas[0] ** t)
      return p.map((x, i) => x - clr * mm[i] / uu[i])
    }
  }
}

export const refNadam = (o: { lr?: Num; betas?: [Num, Num]; eps?: Num; weightDecay?: Num; momentumDecay?: Num }): Ref => {
  const { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3 } = o
  const [b1, b2] = betas
  let m: number[] | undefined
  let v: number[] | undefined
  let muProduct = 1
  let t = 0
  return {
    step(p, g0) {
      t++
      const g = g0.map((gi, i) => gi + weightDecay * p[i])
      const mu = b1 * (1 - 0.5 * 0.96 ** (t * momentumDecay))
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay))
      muProduct *= mu
      m = (m ?? g.map(() => 0)).map((x, i) => x + (1 - b1) * (g[i] - x))
      v = (v ?? g.map(() => 0)).map((x, i) => b2 * x + (1 - b2) * g[i] * g[i])
      const mm = m
      const vv = v
      const bc2 = 1 - b2 ** t
      return p.map((x, i) => {
        const denom = Math.sqrt(vv[i] / bc2) + eps
        return x - (lr * (1 - mu)) / (1 - muProduct) * g[i] / denom - (lr * muNext) / (1 - muProduct * muNext) * mm[i] / denom
      })
    }
  }
}

export const refAdadelta = (o: { lr?: Num; rho?: Num; eps?: Num; weightDecay?: Num }): Ref => {
  const { lr = 1, rho = 0.9, eps = 1e-6, weightDecay = 0 } = o
  let sq: number[] | undefined
  let acc: number[] | undefined
  return {
    step(p, g0) {
      const g = g0.map((gi, i) => gi + weightDecay * p[i])
      sq = (sq ?? g.map(() => 0)).map((s, i) => rho * s + (1 - rho) * g[i] * g[i])
      const a0 = acc ?? g.map(() => 0)
      const s = sq
      const delta = g.map((gi, i) => (Math.sqrt(a0[i] + eps) / Math.sqrt(s[i] + eps)) * gi)
      acc = a0.map((a, i) => rho * a + (1 - rho) * delta[i] * delta[i])
      return p.map((x, i) => x - lr * delta[i])
    }
  }
}

export const refLion = (o: { lr?: Num; betas?: [Num, Num]; weightDecay?: Num }): Ref => {
  const { lr = 1e-4, betas = [0.9, 0.99], weightDecay = 0 } = o
  let m: number[] | undefined
  return {
    step(p, g) {
      const m0 = m ?? g.map(() => 0)
      const c = m0.map((x, i) => betas[0] * x + (1 - betas[0]) * g[i])
      m = m0.map((x, i) => betas[1] * x + (1 - betas[1]) * g[i])
      return p.map((x, i) => x * (1 - lr * weightDecay) - lr * Math.sign(c[i]))
    }
  }
}
