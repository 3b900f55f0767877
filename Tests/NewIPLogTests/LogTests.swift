import Foundation
import XCTest
@testable import NewIPLog

/// The log folder: writing, reopening, reading through the tiles only, and refusing damage.
final class LogTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "nip-log-test-\(getpid())-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func entries(_ range: Range<Int>, tag: String = "e") -> [Data] { range.map { Data("\(tag)\($0)".utf8) } }

    func makeLog(_ sizes: [Int], tag: String = "e") throws -> LogWriter {
        let log = try LogWriter.create(directory: folder, origin: "example.com/test-log")
        for size in sizes { try log.append(Self.entries(log.size ..< log.size + size, tag: tag)) }
        return log
    }

    func reader(_ path: String? = nil, key: NoteVerifier) throws -> LogReader {
        try LogReader(source: DirectorySource(path ?? folder), key: key)
    }

    func flip(_ relative: String, byte: Int) throws {
        let url = URL(fileURLWithPath: folder + "/" + relative)
        var data = try Data(contentsOf: url)
        data[byte] ^= 1
        try data.write(to: url)
    }

    func testAppendsPublishTilesBundlesAndACheckpointThatVerifies() throws {
        var log: LogWriter! = try makeLog([1, 255, 300, 44])
        XCTAssertEqual(log.size, 600)
        let all = Self.entries(0..<600).map { LogHash.leaf($0) }
        XCTAssertEqual(log.checkpoint.root, MerkleTests.mth(all[...]))
        XCTAssertEqual(log.checkpoint.root.base64, "/+vQzcSOPwU467vuHQg6wRmJ9a4n45GPtgqlo7e5KTA=")
        let files = Set(try FileManager.default.subpathsOfDirectory(atPath: folder))
        for expected in ["checkpoint", "log.key", "log.vkey", "tile/0/000", "tile/0/001", "tile/0/002.p/88", "tile/1/000.p/2",
                         "tile/entries/000", "tile/entries/001", "tile/entries/002.p/88", "tile/0/002.p/44", "tile/1/000.p/1"] {
            XCTAssertTrue(files.contains(expected), expected)
        }
        // Partial versions of tiles that became full are gone.
        XCTAssertFalse(files.contains("tile/0/000.p"))
        XCTAssertFalse(files.contains("tile/entries/001.p"))
        let mode = try FileManager.default.attributesOfItem(atPath: folder + "/log.key")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)

        let key = log.signer.verifier
        XCTAssertEqual(try NoteVerifier(parsing: String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder + "/log.vkey")), as: UTF8.self).trimmingCharacters(in: .newlines)), key)
        let reader = try reader(key: key)
        XCTAssertEqual(reader.checkpoint, log.checkpoint)
        try reader.verifyAll()
        for index in [0, 255, 256, 300, 599] {
            let (entry, proof) = try reader.prove(entry: index)
            XCTAssertEqual(entry, Data("e\(index)".utf8))
            XCTAssertEqual(proof.hashes, MerkleTests.path(index, all[...]))
        }
        let consistency = try reader.consistency(old: 256, new: 600)
        XCTAssertEqual(consistency.hashes, MerkleTests.subproof(256, all[...], true))
        XCTAssertEqual(consistency.oldRoot, MerkleTests.mth(all[0..<256]))

        // Reopening continues where the checkpoint left off.
        let root = log.checkpoint.root
        log = nil  // its lock goes with it
        let again = try LogWriter(directory: folder)
        XCTAssertEqual(again.size, 600)
        XCTAssertEqual(try again.append(Self.entries(600..<601)), 600..<601)
        XCTAssertEqual(again.checkpoint.root.base64, "BsaPl93+Ure5EkFN4aU5ADs+5yCs9199WlPGwMtJgH4=")  // computed independently with Python hashlib
        XCTAssertNotEqual(again.checkpoint.root, root)
    }

    func testCreateRefusesAnExistingLogAndAnUnrelatedFolder() throws {
        _ = try makeLog([])
        XCTAssertThrowsError(try LogWriter.create(directory: folder, origin: "o")) {
            XCTAssertEqual($0 as? LogError, .refused("\(self.folder!) already holds a log"))
        }
        let other = folder + "-other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: other) }
        try Data().write(to: URL(fileURLWithPath: other + "/notes.txt"))
        XCTAssertThrowsError(try LogWriter.create(directory: other, origin: "o")) {
            XCTAssertEqual($0 as? LogError, .refused("\(other) is not empty (notes.txt)"))
        }
        XCTAssertThrowsError(try LogWriter.create(directory: folder + "-x", origin: "bad name")) {
            XCTAssertEqual($0 as? LogError, .malformed("key name \"bad name\"", "empty, or holds \"+\", a space or a control character"))
        }
    }

    func testOpeningAFolderWithoutALogSaysSo() {
        XCTAssertThrowsError(try LogWriter(directory: folder)) {
            XCTAssertEqual($0 as? LogError, .refused("\(self.folder!) holds no log (no checkpoint)"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
    }

    func testOneWriterAtATime() throws {
        let log = try makeLog([3])
        XCTAssertThrowsError(try LogWriter(directory: folder)) {
            XCTAssertEqual($0 as? LogError, .refused("\(self.folder!) is being written by another process (it holds \(self.folder!)/.lock)"))
        }
        withExtendedLifetime(log) {}
    }

    func testAFlippedBitInABundleOrATileIsFoundAndNamed() throws {
        let key = try makeLog([600]).signer.verifier
        try flip("tile/entries/001", byte: 2 + 3)  // inside entry 256 ("e256")
        XCTAssertThrowsError(try reader(key: key).verifyAll()) {
            XCTAssertEqual($0 as? LogError, .mismatch("\(self.folder!)/tile/0/001: hash 0 (byte offset 0) is not the hash of entry 256 of \(self.folder!)/tile/entries/001"))
        }
        try flip("tile/entries/001", byte: 2 + 3)
        try reader(key: key).verifyAll()
        try flip("tile/0/002.p/88", byte: 32 * 7 + 5)
        XCTAssertThrowsError(try reader(key: key).verifyAll()) {
            XCTAssertEqual($0 as? LogError, .mismatch("\(self.folder!)/tile/0/002.p/88: hash 7 (byte offset 224) is not the hash of entry 519 of \(self.folder!)/tile/entries/002.p/88"))
        }
        // A reopening writer refuses the damaged edge tile too.
        XCTAssertThrowsError(try LogWriter(directory: folder)) { XCTAssertTrue($0 is LogError) }
        try flip("tile/0/002.p/88", byte: 32 * 7 + 5)
        try flip("tile/1/000.p/2", byte: 40)
        XCTAssertThrowsError(try reader(key: key).verifyAll()) {
            XCTAssertEqual($0 as? LogError, .mismatch("\(self.folder!)/tile/1/000.p/2: hash 1 (byte offset 32) is not the hash of tile 0/1"))
        }
        XCTAssertThrowsError(try reader(key: key).verifyRoot()) {
            guard case .mismatch(let why) = $0 as? LogError else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("the checkpoint of size 600 says"), why)
        }
    }

    func testMissingAndTruncatedTilesAreNamed() throws {
        let key = try makeLog([600]).signer.verifier
        let tile = folder + "/tile/0/001"
        let data = try Data(contentsOf: URL(fileURLWithPath: tile))
        try data.prefix(100).write(to: URL(fileURLWithPath: tile))
        XCTAssertThrowsError(try reader(key: key).prove(entry: 300)) {
            XCTAssertEqual($0 as? LogError, .malformed(tile, "100 bytes, a tile of 256 hashes has 8192"))
        }
        try FileManager.default.removeItem(atPath: tile)
        XCTAssertThrowsError(try reader(key: key).verifyAll()) { XCTAssertEqual($0 as? LogError, .missing(tile)) }
        try FileManager.default.removeItem(atPath: folder + "/tile/entries/002.p/88")
        XCTAssertThrowsError(try reader(key: key).verifyAll()) { XCTAssertEqual($0 as? LogError, .missing(self.folder + "/tile/entries/002.p/88")) }
    }

    func testCheckpointsWithABadSignatureOrAnUnknownKeyAreRefused() throws {
        let key = try makeLog([5]).signer.verifier
        let path = folder + "/checkpoint"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\n5\n", with: "\n6\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try reader(key: key)) {
            XCTAssertEqual($0 as? LogError, .badSignature("\(path): the signature by example.com/test-log+\(String(format: "%08x", key.keyHash)) does not verify"))
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let stranger = try NoteSigner(name: "example.com/test-log", type: .ed25519).verifier
        XCTAssertThrowsError(try reader(key: stranger)) {
            guard case .unknownKey(let why) = $0 as? LogError else { return XCTFail("\($0)") }
            XCTAssertTrue(why.hasPrefix("\(path): no signature by the log key example.com/test-log+\(String(format: "%08x", stranger.keyHash)) (signed by: example.com/test-log+"), why)
        }
        let witness = try NoteSigner(name: "w", type: .cosignature).verifier
        XCTAssertThrowsError(try LogReader(source: DirectorySource(folder), key: key, witnesses: [witness], minWitnesses: 1)) {
            XCTAssertEqual($0 as? LogError, .unknownKey("\(path): 0 valid witness cosignatures, 1 required"))
        }
    }

    func testReopeningAfterACrashBeforeTheCheckpointKeepsTheAcknowledgedEntries() throws {
        var log: LogWriter? = try makeLog([300])
        let key = log!.signer.verifier
        let acknowledged = try Data(contentsOf: URL(fileURLWithPath: folder + "/checkpoint"))
        try log!.append(Self.entries(300..<700, tag: "lost"))
        log = nil
        // As if killed after the tiles of 400 more entries were written but before their checkpoint.
        try acknowledged.write(to: URL(fileURLWithPath: folder + "/checkpoint"))
        log = try LogWriter(directory: folder)
        XCTAssertEqual(log!.size, 300)
        try log!.append(Self.entries(300..<310))
        let reader = try reader(key: key)
        try reader.verifyAll()
        XCTAssertEqual(try reader.prove(entry: 299).entry, Data("e299".utf8))
        XCTAssertEqual(try reader.prove(entry: 305).entry, Data("e305".utf8))
        XCTAssertEqual(reader.checkpoint.root, MerkleTests.mth(Self.entries(0..<310).map { LogHash.leaf($0) }[...]))
    }

    func testHalfWrittenTemporaryFilesFromAKillDuringTheCheckpointAreIgnored() throws {
        var log: LogWriter? = try makeLog([10])
        let key = log!.signer.verifier, root = log!.checkpoint.root
        log = nil
        // A writer killed while writing the next checkpoint and a tile leaves only temporaries.
        try Data("half a checkp".utf8).write(to: URL(fileURLWithPath: folder + "/.tmp-checkpoint-99999"))
        try Data(count: 100).write(to: URL(fileURLWithPath: folder + "/tile/0/000.p/.tmp-11-99999"))
        log = try LogWriter(directory: folder)
        XCTAssertEqual(log!.checkpoint.root, root)
        try log!.append(Self.entries(10..<11))
        try reader(key: key).verifyAll()
    }

    func testWitnessCosignsConsistentGrowthAndRefusesSplitViewsAndRollbacks() throws {
        let log = try makeLog([10])
        let key = log.signer.verifier
        let witness = try Witness(signer: try NoteSigner(name: "witness.example/w1", type: .cosignature))
        let first = try witness.cosign(try reader(key: key), previous: nil, time: 100)
        XCTAssertEqual(first.signatures.count, 2)
        let seen = try Checkpoint(body: first.text, source: "w")
        try log.append(Self.entries(10..<300))
        let second = try witness.cosign(try reader(key: key), previous: seen, time: 200)
        let opened = try SignedCheckpoint(Data(second.serialized.utf8), source: "w", log: key,
                                          witnesses: [witness.signer.verifier], minWitnesses: 1)
        XCTAssertEqual(opened.cosigners, ["witness.example/w1"])
        XCTAssertEqual(opened.checkpoint.size, 300)

        // A second log under the same key with other entries: a split view.
        let forkFolder = folder + "-fork"
        defer { try? FileManager.default.removeItem(atPath: forkFolder) }
        try FileManager.default.createDirectory(atPath: forkFolder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: folder + "/log.key", toPath: forkFolder + "/log.key")
        try Data(LogWriter.sign(Checkpoint(origin: "example.com/test-log", size: 0, root: .empty), log.signer).utf8)
            .write(to: URL(fileURLWithPath: forkFolder + "/checkpoint"))
        let forked = try LogWriter(directory: forkFolder)
        try forked.append(Self.entries(0..<400, tag: "other"))
        let seenAt300 = try Checkpoint(body: second.text, source: "w")
        XCTAssertThrowsError(try witness.cosign(try reader(forkFolder, key: key), previous: seenAt300, time: 300)) {
            guard case .inconsistent(let why) = $0 as? LogError else { return XCTFail("\($0)") }
            XCTAssertTrue(why.hasPrefix("split view: the log's tree of size 400 does not extend the cosigned tree of size 300"), why)
        }
        var sameSize = seenAt300
        sameSize.root = .empty
        XCTAssertThrowsError(try witness.cosign(try reader(key: key), previous: sameSize, time: 300)) {
            guard case .inconsistent(let why) = $0 as? LogError else { return XCTFail("\($0)") }
            XCTAssertTrue(why.hasPrefix("split view: the log shows root"), why)
        }
        var larger = seenAt300
        larger.size = 1000
        XCTAssertThrowsError(try witness.cosign(try reader(key: key), previous: larger, time: 300)) {
            XCTAssertEqual($0 as? LogError, .inconsistent("rollback: the log shows a tree of size 300, smaller than size 1000 already cosigned"))
        }
    }
}
