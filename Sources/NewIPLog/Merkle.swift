/// Hashes of complete, aligned subtrees: the hash at `level` (0 = leaves) and `index` covers
/// entries `index << level ..< (index + 1) << level`. Every proof and root is built from these.
public protocol SubtreeHashes {
    func hash(level: Int, index: Int) throws -> LogHash
}

/// RFC 9162 §2.1 Merkle tree math over `SubtreeHashes`: roots, inclusion and consistency
/// proofs, and their verification. Pure: no storage, no clock.
public enum Merkle {
    /// The largest power of two smaller than `n` (n ≥ 2): where MTH splits a range.
    static func split(_ n: Int) -> Int {
        precondition(n >= 2)
        return 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    /// MTH(D[lo:hi]) for a range that is a node of some tree (lo aligned to a power of two that
    /// is at least hi - lo, as every range in RFC 9162's recursion is): the binary expansion of
    /// the range into complete subtrees, combined right to left.
    public static func rangeHash(_ lo: Int, _ hi: Int, _ hashes: some SubtreeHashes) throws -> LogHash {
        precondition(lo < hi)
        var parts: [LogHash] = []
        var start = lo
        while start < hi {
            var level = 0
            while start & ((2 << level) - 1) == 0 && hi - start >= 2 << level { level += 1 }
            parts.append(try hashes.hash(level: level, index: start >> level))
            start += 1 << level
        }
        var result = parts.removeLast()
        while let left = parts.popLast() { result = .node(left, result) }
        return result
    }

    /// MTH of the first `size` entries.
    public static func root(size: Int, _ hashes: some SubtreeHashes) throws -> LogHash {
        size == 0 ? .empty : try rangeHash(0, size, hashes)
    }

    /// PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf side first.
    public static func inclusionProof(index: Int, size: Int, _ hashes: some SubtreeHashes) throws -> [LogHash] {
        precondition(index >= 0 && index < size)
        var proof: [LogHash] = []
        var lo = 0, hi = size
        while hi - lo > 1 {
            let k = split(hi - lo)
            if index < lo + k {
                proof.append(try rangeHash(lo + k, hi, hashes))
                hi = lo + k
            } else {
                proof.append(try rangeHash(lo, lo + k, hashes))
                lo += k
            }
        }
        return proof.reversed()
    }

    /// PROOF(old, D[0:new]) of RFC 9162 §2.1.4.1; empty when old is 0 or equal to new.
    public static func consistencyProof(old: Int, new: Int, _ hashes: some SubtreeHashes) throws -> [LogHash] {
        precondition(old >= 0 && old <= new)
        guard old > 0 && old < new else { return [] }
        return try subproof(old, 0, new, true, hashes)
    }

    private static func subproof(_ m: Int, _ lo: Int, _ hi: Int, _ complete: Bool, _ hashes: some SubtreeHashes) throws -> [LogHash] {
        let n = hi - lo
        if m == n { return complete ? [] : [try rangeHash(lo, hi, hashes)] }
        let k = split(n)
        if m <= k { return try subproof(m, lo, lo + k, complete, hashes) + [rangeHash(lo + k, hi, hashes)] }
        return try subproof(m - k, lo + k, hi, false, hashes) + [rangeHash(lo, lo + k, hashes)]
    }

    /// The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or nil when the proof has the
    /// wrong length for `index` and `size`.
    public static func rootFromInclusion(leaf: LogHash, index: Int, size: Int, proof: [LogHash]) -> LogHash? {
        guard index >= 0 && index < size else { return nil }
        var fn = index, sn = size - 1, result = leaf
        for p in proof {
            guard sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                result = .node(p, result)
                while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
            } else {
                result = .node(result, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? result : nil
    }

    public static func verifyInclusion(leaf: LogHash, index: Int, size: Int, proof: [LogHash], root: LogHash) -> Bool {
        rootFromInclusion(leaf: leaf, index: index, size: size, proof: proof) == root
    }

    /// RFC 9162 §2.1.4.2: whether `proof` shows the tree of `oldSize` with `oldRoot` is a prefix
    /// of the tree of `newSize` with `newRoot`.
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: LogHash, newRoot: LogHash, proof: [LogHash]) -> Bool {
        guard oldSize >= 0 && oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == .empty }
        guard !proof.isEmpty else { return false }
        // A power-of-two old tree is a complete subtree: the proof leaves its root out.
        let path = oldSize & (oldSize - 1) == 0 ? [oldRoot] + proof : proof
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = fr
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = .node(c, fr)
                sr = .node(c, sr)
                while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
            } else {
                sr = .node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
