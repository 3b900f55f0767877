import Foundation
import XCTest
@testable import NewIPLog

/// The Merkle math against a brute-force tree written straight from RFC 9162's recursive
/// definitions over arrays.
final class MerkleTests: XCTestCase {
    static func leaves(_ n: Int, salt: String = "") -> [LogHash] { (0..<n).map { LogHash.leaf(Data("entry \($0)\(salt)".utf8)) } }

    static func mth(_ d: ArraySlice<LogHash>) -> LogHash {
        if d.isEmpty { return .empty }
        if d.count == 1 { return d.first! }
        let k = Merkle.split(d.count)
        return .node(mth(d.prefix(k)), mth(d.dropFirst(k)))
    }

    static func path(_ m: Int, _ d: ArraySlice<LogHash>) -> [LogHash] {
        if d.count <= 1 { return [] }
        let k = Merkle.split(d.count)
        return m < k ? path(m, d.prefix(k)) + [mth(d.dropFirst(k))] : path(m - k, d.dropFirst(k)) + [mth(d.prefix(k))]
    }

    static func subproof(_ m: Int, _ d: ArraySlice<LogHash>, _ b: Bool) -> [LogHash] {
        if m == d.count { return b ? [] : [mth(d)] }
        let k = Merkle.split(d.count)
        return m <= k ? subproof(m, d.prefix(k), b) + [mth(d.dropFirst(k))] : subproof(m - k, d.dropFirst(k), false) + [mth(d.prefix(k))]
    }

    /// Complete subtree hashes computed from the leaves.
    struct Brute: SubtreeHashes {
        var leaves: [LogHash]
        func hash(level: Int, index: Int) throws -> LogHash {
            let lo = index << level, hi = (index + 1) << level
            guard hi <= leaves.count else { throw LogError.missing("subtree \(level)/\(index)") }
            return MerkleTests.mth(leaves[lo..<hi])
        }
    }

    func testKnownHashes() {
        XCTAssertEqual(Data(LogHash.empty.bytes).base64EncodedString(), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        // SHA-256(0x00): the leaf hash of the empty entry.
        XCTAssertEqual(LogHash.leaf(Data()).bytes.map { String(format: "%02x", $0) }.joined(),
                       "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        XCTAssertEqual(Merkle.split(2), 1)
        XCTAssertEqual(Merkle.split(5), 4)
        XCTAssertEqual(Merkle.split(8), 4)
        XCTAssertEqual(Merkle.split(9), 8)
    }

    func testRootsAndInclusionProofsMatchBruteForceForSizes1To70() throws {
        let all = Self.leaves(70)
        for size in 1...70 {
            let d = all[0..<size], brute = Brute(leaves: Array(d))
            let root = Self.mth(d)
            XCTAssertEqual(try Merkle.root(size: size, brute), root, "size \(size)")
            for index in 0..<size {
                let proof = try Merkle.inclusionProof(index: index, size: size, brute)
                XCTAssertEqual(proof, Self.path(index, d), "index \(index) size \(size)")
                XCTAssertTrue(Merkle.verifyInclusion(leaf: all[index], index: index, size: size, proof: proof, root: root))
                // Wrong leaf, wrong index, a changed hash, a missing or an extra hash: refused.
                XCTAssertFalse(Merkle.verifyInclusion(leaf: all[(index + 1) % 70], index: index, size: size, proof: proof, root: root))
                if size > 1 {
                    XCTAssertFalse(Merkle.verifyInclusion(leaf: all[index], index: (index + 1) % size, size: size, proof: proof, root: root))
                    var bad = proof
                    bad[bad.count - 1] = all[69]
                    XCTAssertFalse(Merkle.verifyInclusion(leaf: all[index], index: index, size: size, proof: bad, root: root))
                    XCTAssertFalse(Merkle.verifyInclusion(leaf: all[index], index: index, size: size, proof: Array(proof.dropLast()), root: root))
                }
                XCTAssertFalse(Merkle.verifyInclusion(leaf: all[index], index: index, size: size, proof: proof + [root], root: root))
            }
            XCTAssertFalse(Merkle.verifyInclusion(leaf: all[0], index: size, size: size, proof: [], root: root))
        }
    }

    func testConsistencyProofsMatchBruteForceForAllPairsUpTo70() throws {
        let all = Self.leaves(70), other = Self.leaves(70, salt: "x")
        for new in 1...70 {
            let brute = Brute(leaves: Array(all[0..<new]))
            let newRoot = Self.mth(all[0..<new])
            for old in 0...new {
                let proof = try Merkle.consistencyProof(old: old, new: new, brute)
                XCTAssertEqual(proof, old == 0 || old == new ? [] : Self.subproof(old, all[0..<new], true), "\(old) → \(new)")
                let oldRoot = Self.mth(all[0..<old])
                XCTAssertTrue(Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: proof), "\(old) → \(new)")
                // An unrelated old tree of the same size is refused.
                if old > 0 {
                    XCTAssertFalse(Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: Self.mth(other[0..<old]), newRoot: newRoot, proof: proof))
                }
                if !proof.isEmpty {
                    var bad = proof
                    bad[0] = all[69]
                    XCTAssertFalse(Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: bad))
                }
            }
        }
        XCTAssertFalse(Merkle.verifyConsistency(oldSize: 5, newSize: 4, oldRoot: .empty, newRoot: .empty, proof: []))
    }

    /// Every subtree hashes to its level and index: enough to build proofs for any size.
    struct Fake: SubtreeHashes {
        func hash(level: Int, index: Int) throws -> LogHash { LogHash.leaf(Data("\(level)/\(index)".utf8)) }
    }

    func testTheLargestCheckpointSizeDoesNotOverflow() throws {
        let size = Checkpoint.maxSize
        let proof = try Merkle.inclusionProof(index: size - 1, size: size, Fake())
        XCTAssertEqual(proof.count, 61)  // 2^62 - 1 = 2^61 + ... + 2 + 1: the last entry is the 1, with a sibling per larger power
        let root = try Merkle.root(size: size, Fake())
        XCTAssertTrue(Merkle.verifyInclusion(leaf: try Fake().hash(level: 0, index: size - 1), index: size - 1, size: size, proof: proof, root: root))
        let consistency = try Merkle.consistencyProof(old: size / 2 + 1, new: size, Fake())
        XCTAssertTrue(Merkle.verifyConsistency(oldSize: size / 2 + 1, newSize: size, oldRoot: try Merkle.root(size: size / 2 + 1, Fake()),
                                               newRoot: root, proof: consistency))
    }

    func testTileHashesRecomputeInnerLevels() throws {
        // 70,000 leaves span three tile levels; hashes at every level come out as brute force says.
        let count = 70_000
        let leaves = (0..<count).map { LogHash.leaf(Data([UInt8($0 & 0xFF), UInt8($0 >> 8 & 0xFF), UInt8($0 >> 16)])) }
        var levels = [leaves]
        while levels.last!.count >= Tiles.width {
            let below = levels.last!
            levels.append(stride(from: 0, through: below.count - Tiles.width, by: Tiles.width).map { Tiles.completeHash(below[$0..<$0 + Tiles.width]) })
        }
        XCTAssertEqual(levels.map(\.count), [70_000, 273, 1])
        let tiles = TileHashes { level, index in
            Array(levels[level][index * Tiles.width ..< min(levels[level].count, (index + 1) * Tiles.width)])
        }
        let brute = Brute(leaves: leaves)
        for (level, index) in [(0, 69_999), (3, 5), (8, 272), (9, 3), (15, 0), (16, 0), (12, 16)] where (index + 1) << level <= count {
            XCTAssertEqual(try tiles.hash(level: level, index: index), Self.mth(leaves[(index << level)..<((index + 1) << level)]), "\(level)/\(index)")
        }
        XCTAssertEqual(try Merkle.root(size: count, tiles), try Merkle.root(size: count, brute))
        XCTAssertEqual(try Merkle.inclusionProof(index: 65_537, size: count, tiles), Self.path(65_537, leaves[...]))
        XCTAssertEqual(try Merkle.consistencyProof(old: 65_536, new: count, tiles), Self.subproof(65_536, leaves[...], true))
    }
}
