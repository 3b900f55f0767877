import Crypto
import Foundation
import XCTest
@testable import NewIPLog

/// Tile names, bundles, notes, keys and proof text against published examples.
final class FormatTests: XCTestCase {
    func testTilePathsFollowTheSpecExamples() {
        // c2sp.org/tlog-tiles: index 1234067 is x001/x234/067.
        XCTAssertEqual(Tiles.Name(level: 0, index: 1_234_067, width: 256).path, "tile/0/x001/x234/067")
        // The Tessera layout example: EntriesPath(1234067, 8).
        XCTAssertEqual(Tiles.Name(level: nil, index: 1_234_067, width: 8).path, "tile/entries/x001/x234/067.p/8")
        XCTAssertEqual(Tiles.Name(level: 2, index: 0, width: 1).path, "tile/2/000.p/1")
        XCTAssertEqual(Tiles.Name(level: 1, index: 1000, width: 256).path, "tile/1/x001/000")
        XCTAssertEqual(Tiles.Name(level: 63, index: 999, width: 255).path, "tile/63/999.p/255")
        for name in [Tiles.Name(level: 0, index: 1_234_067, width: 256), Tiles.Name(level: nil, index: 5, width: 17),
                     Tiles.Name(level: 7, index: 1_000_000, width: 1)] {
            XCTAssertEqual(Tiles.Name(path: name.path), name)
        }
        for bad in ["tile/0/x000/005", "tile/00/005", "tile/64/000", "tile/0/5", "tile/0/005.p/256", "tile/0/005.p/0",
                    "tile/0/005.p/07", "tile/0/x1/005", "tile/0/001/002", "tile/entries/", "checkpoint", "tile/0/-01",
                    "tile/0/x001/x002/x003/x004/x005/x006/007", "tile/0/+05", "tile/0/005.p"] {
            XCTAssertNil(Tiles.Name(path: bad), bad)
        }
    }

    func testTileWidthsOfTheSpecExample() {
        // c2sp.org/tlog-tiles: a tree of 70,000 has 273 full level-0 tiles and a partial one of
        // width 112, one full level-1 tile and a partial one of 17, and a level-2 tile of 1.
        XCTAssertEqual(Tiles.width(level: 0, index: 272, size: 70_000), 256)
        XCTAssertEqual(Tiles.width(level: 0, index: 273, size: 70_000), 112)
        XCTAssertEqual(Tiles.width(level: 0, index: 274, size: 70_000), 0)
        XCTAssertEqual(Tiles.width(level: 1, index: 0, size: 70_000), 256)
        XCTAssertEqual(Tiles.width(level: 1, index: 1, size: 70_000), 17)
        XCTAssertEqual(Tiles.width(level: 2, index: 0, size: 70_000), 1)
        XCTAssertEqual(Tiles.width(level: 3, index: 0, size: 70_000), 0)
        // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
        XCTAssertEqual(Tiles.width(level: 0, index: 0, size: 256), 256)
        XCTAssertEqual(Tiles.width(level: 1, index: 0, size: 256), 1)
    }

    func testBundlesRoundTripAndRefuseDamage() throws {
        let entries = [Data(), Data("a".utf8), Data(repeating: 7, count: 300)]
        let bytes = Tiles.encodeBundle(entries)
        XCTAssertEqual([UInt8](bytes.prefix(5)), [0, 0, 0, 1, 0x61])
        XCTAssertEqual(try Tiles.decodeBundle(bytes, expected: 3, source: "b"), entries)
        XCTAssertThrowsError(try Tiles.decodeBundle(bytes.dropLast(), expected: 3, source: "b")) {
            XCTAssertEqual($0 as? LogError, .malformed("b", "entry 2 at byte offset 5: 300 bytes announced, 299 left"))
        }
        XCTAssertThrowsError(try Tiles.decodeBundle(bytes + Data([0]), expected: 3, source: "b")) {
            XCTAssertEqual($0 as? LogError, .malformed("b", "entry 3 at byte offset 307: the length prefix is cut short"))
        }
        XCTAssertThrowsError(try Tiles.decodeBundle(bytes, expected: 4, source: "b")) {
            XCTAssertEqual($0 as? LogError, .malformed("b", "3 entries in 307 bytes, expected 4"))
        }
        XCTAssertThrowsError(try Tiles.decodeHashes(Data(count: 65), expected: 2, source: "t")) {
            XCTAssertEqual($0 as? LogError, .malformed("t", "65 bytes, a tile of 2 hashes has 64"))
        }
    }

    // The signed-note example of golang.org/x/mod/sumdb/note: the same key must give the same
    // key hash, verifier text and (Ed25519 being deterministic) the same signature line.
    static let peterSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let peterVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let peterText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let peterLine = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    func testSignedNoteMatchesThePublishedExample() throws {
        let signer = try NoteSigner(parsing: Self.peterSigner)
        XCTAssertEqual(signer.text, Self.peterSigner)
        XCTAssertEqual(signer.verifier.text, Self.peterVerifier)
        XCTAssertEqual(signer.verifier.keyHash, 0xc74f20a3)
        XCTAssertEqual(try signer.sign(Self.peterText).line, Self.peterLine)
        let note = try Note(parsing: Data((Self.peterText + "\n" + Self.peterLine).utf8), source: "n")
        XCTAssertEqual(note.text, Self.peterText)
        let verifier = try NoteVerifier(parsing: Self.peterVerifier)
        XCTAssertTrue(verifier.verify(note.signatures[0], body: note.text))
        XCTAssertFalse(verifier.verify(note.signatures[0], body: note.text + "x\n"))
        XCTAssertEqual(note.serialized, Self.peterText + "\n" + Self.peterLine)
        // Mangled keys are refused: wrong hash, unknown type, short key.
        for bad in ["PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                    "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "Peter+Neumann+c74f20a3+ARpc"] {
            XCTAssertThrowsError(try NoteVerifier(parsing: bad), bad)
        }
    }

    func testMalformedNotesAreRefusedWithTheOffset() {
        let good = Self.peterText + "\n" + Self.peterLine
        let cases: [(String, String)] = [
            (Self.peterText, "no blank line before the signatures"),
            (Self.peterText + "\n", "no signature lines"),
            (String(good.dropLast()), "does not end with a newline"),
            ("\u{1}" + good, "control character at byte offset 0"),
            (Self.peterText + "\n— Bad Name x08go/ZJ=\n", "signature line at byte offset 100 is not \"— <name> <base64>\""),
            (good + "Unexpected line.\n", "signature line at byte offset 210 is not \"— <name> <base64>\""),
        ]
        for (text, why) in cases {
            XCTAssertThrowsError(try Note(parsing: Data(text.utf8), source: "n")) { XCTAssertEqual($0 as? LogError, .malformed("n", why)) }
        }
    }

    func testCheckpointBodies() throws {
        let root = LogHash.leaf(Data("x".utf8))
        let checkpoint = Checkpoint(origin: "example.com/log", size: 20_852_163, root: root)
        XCTAssertEqual(checkpoint.body, "example.com/log\n20852163\n\(root.base64)\n")
        XCTAssertEqual(try Checkpoint(body: checkpoint.body, source: "c"), checkpoint)
        let cases: [(String, String)] = [
            ("o\n01\n\(root.base64)\n", "checkpoint line 2: tree size \"01\" is not a decimal without leading zeroes up to 2^62 - 1"),
            ("o\n+1\n\(root.base64)\n", "checkpoint line 2: tree size \"+1\" is not a decimal without leading zeroes up to 2^62 - 1"),
            ("o\n4611686018427387904\n\(root.base64)\n", "checkpoint line 2: tree size \"4611686018427387904\" is not a decimal without leading zeroes up to 2^62 - 1"),
            ("o\n1\nAAAA\n", "checkpoint line 3: root hash \"AAAA\" is not the base64 of 32 bytes"),
            ("\n1\n\(root.base64)\n", "checkpoint line 1: empty origin"),
            ("o\n1\n", "a checkpoint has at least three lines"),
        ]
        for (body, why) in cases {
            XCTAssertThrowsError(try Checkpoint(body: body, source: "c")) { XCTAssertEqual($0 as? LogError, .malformed("c", why)) }
        }
    }

    func testCosignatureFollowsTlogCosignatureV1() throws {
        let key = Curve25519.Signing.PrivateKey()
        let witness = try NoteSigner(name: "witness.example/w1", type: .cosignature, key: key)
        XCTAssertEqual(witness.verifier.keyHash, noteKeyHash(name: "witness.example/w1", type: .cosignature, publicKey: key.publicKey.rawRepresentation))
        XCTAssertNotEqual(witness.verifier.keyHash, noteKeyHash(name: "witness.example/w1", type: .ed25519, publicKey: key.publicKey.rawRepresentation))
        let body = "example.com/log\n5\n\(LogHash.empty.base64)\n"
        let signature = try witness.sign(body, time: 1_679_315_147)
        XCTAssertEqual(signature.bytes.count, 72)
        XCTAssertEqual(Array(signature.bytes.prefix(8)), [0, 0, 0, 0, 0x64, 0x18, 0x50, 0xCB])
        // The Ed25519 part signs "cosignature/v1\ntime <t>\n" + body.
        XCTAssertTrue(key.publicKey.isValidSignature(signature.bytes.dropFirst(8), for: Data(("cosignature/v1\ntime 1679315147\n" + body).utf8)))
        let verifier = try NoteVerifier(parsing: witness.verifier.text)
        XCTAssertTrue(verifier.verify(signature, body: body))
        XCTAssertFalse(verifier.verify(signature, body: body.replacingOccurrences(of: "5", with: "6")))
        var forged = signature
        forged.bytes[7] ^= 1  // another time than the one signed
        XCTAssertFalse(verifier.verify(forged, body: body))
    }

    func testTheCosignedCheckpointExampleOfTheSpecParses() throws {
        // c2sp.org/tlog-cosignature's example: a log signature and a cosignature made at
        // 1679315147, the time its signed-message example shows.
        let example = """
        example.com/behind-the-sofa
        20852163
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

        — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
        — witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==

        """
        let note = try Note(parsing: Data(example.utf8), source: "spec")
        let checkpoint = try Checkpoint(body: note.text, source: "spec")
        XCTAssertEqual(checkpoint.origin, "example.com/behind-the-sofa")
        XCTAssertEqual(checkpoint.size, 20_852_163)
        XCTAssertEqual(note.signatures.map(\.name), ["example.com/behind-the-sofa", "witness.example.com/w1"])
        XCTAssertEqual(note.signatures.map(\.bytes.count), [64, 72])
        XCTAssertEqual(note.signatures[1].keyHash, 0x8d66cf3f)
        XCTAssertEqual(note.signatures[1].bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, 1_679_315_147)
        XCTAssertEqual(note.serialized, example)
    }

    func testProofTextRoundTripsAndRefusesJunk() throws {
        let hashes = MerkleTests.leaves(3)
        let inclusion = InclusionProof(index: 5, size: 9, root: hashes[0], hashes: [hashes[1], hashes[2]])
        XCTAssertEqual(inclusion.text, "tlog inclusion proof\nindex 5\nsize 9\nroot \(hashes[0].base64)\n\(hashes[1].base64)\n\(hashes[2].base64)\n")
        XCTAssertEqual(try InclusionProof(parsing: inclusion.text, source: "p"), inclusion)
        let consistency = ConsistencyProof(oldSize: 3, oldRoot: hashes[0], newSize: 9, newRoot: hashes[1], hashes: [hashes[2]])
        XCTAssertEqual(try ConsistencyProof(parsing: consistency.text, source: "p"), consistency)
        let cases: [(String, String)] = [
            ("tlog inclusion proof\nindex 9\nsize 9\nroot \(hashes[0].base64)\n", "index 9 is not below size 9"),
            ("tlog inclusion proof\nindex -1\nsize 9\nroot \(hashes[0].base64)\n", "line 2: \"-1\" is not a non-negative decimal"),
            ("tlog inclusion proof\nindex 1\nsize 9\nroot \(hashes[0].base64)\nAAAA\n", "line 5: not the base64 of a 32-byte hash"),
            ("tlog inclusion proof\nsize 9\n", "expected lines index, size, root"),
            ("tlog consistency proof\n", "line 1: expected \"tlog inclusion proof\""),
        ]
        for (text, why) in cases {
            XCTAssertThrowsError(try InclusionProof(parsing: text, source: "p")) { XCTAssertEqual($0 as? LogError, .malformed("p", why)) }
        }
    }
}
