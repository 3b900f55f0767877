import Foundation
import NewIPJSON
import NewIPLog
@testable import NewIPRuntime
import NewIPWire
import XCTest

/// A first hop acts only on revocations proven in its registrar's signed log: the checkpoint's
/// signature, the log's growth without rewrite since the checkpoint verified before, each
/// revocation's inclusion. A real registrar (in process, its log on disk) answers; the tests
/// tamper with its answers as a man in the middle or a lying registrar would.
final class RevocationFeedTests: XCTestCase {
    var folder: String!
    var registrar: Registrar!
    var logKey: NoteVerifier!
    var operatorToken: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "revocation-feed-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        _ = try RegistrarFolder.create(directory: folder, domain: "example.net", tokens: 1)
        registrar = try Registrar(directory: folder)
        logKey = try NoteVerifier(parsing: registrar.logKey)
        operatorToken = try String(contentsOfFile: "\(folder!)/\(RegistrarFolder.operatorFile)", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func revoke(_ address: String) {
        let body = "{\"address\": \"\(address)\", \"operator-token\": \"\(operatorToken!)\"}"
        XCTAssertEqual(registrar.handle(method: .POST, uri: "/revoke", body: body, client: "test", now: 1).status, .ok)
        registrar.publish()
    }

    func answer(_ feed: RevocationFeed) throws -> JSONValue {
        let response = registrar.handle(method: .GET, uri: feed.query, body: "", client: "test", now: 1)
        XCTAssertEqual(response.status, .ok)
        return response.body
    }

    func accepted(_ feed: inout RevocationFeed, _ answer: JSONValue) throws -> RevocationFeed.Accepted {
        switch feed.accept(answer) {
        case .success(let accepted): return accepted
        case .failure(let refusal): throw ToolError("refused: \(refusal)")
        }
    }

    func refusal(_ feed: inout RevocationFeed, _ answer: JSONValue) -> String? {
        if case .failure(let refusal) = feed.accept(answer) { return refusal.description }
        return nil
    }

    /// `answer` with its first revocation's `key` replaced by `value`.
    func replacing(_ answer: JSONValue, _ key: String, with value: String) -> JSONValue {
        guard case .object(var members) = answer, let index = members.firstIndex(where: { $0.0 == "revocations" }),
              case .array(var items) = members[index].1, case .object(var item) = items[0] else { return answer }
        item = item.map { $0.0 == key ? ($0.0, .string(value)) : $0 }
        items[0] = .object(item)
        members[index].1 = .array(items)
        return .object(members)
    }

    func testProvenRevocationsAreAcceptedAndTheLogMustGrowWithoutRewrite() throws {
        var feed = RevocationFeed(logKey: logKey)
        XCTAssertEqual(feed.query, "/revocations?since=0")
        revoke("0x01")
        let first = try accepted(&feed, try answer(feed))
        XCTAssertEqual(first.revocations.map { "\($0.address)@\($0.index)" }, ["0x01@0"])
        XCTAssertEqual(first.refused.count, 0)
        XCTAssertEqual(feed.query, "/revocations?since=1&known=1")

        // The next answer carries a consistency proof from the checkpoint of 1 entry.
        revoke("0x02")
        revoke("0x03")
        let next = try answer(feed)
        XCTAssertNotNil(next["consistency"]?.stringValue)
        let second = try accepted(&feed, next)
        XCTAssertEqual(second.revocations.map { "\($0.address)@\($0.index)" }, ["0x02@1", "0x03@2"])
        XCTAssertEqual(second.checkpoint.size, 3)

        // Without the proof, or with one from another tree, the answer is refused whole.
        revoke("0x04")
        var withoutProof = try answer(feed)
        if case .object(let members) = withoutProof { withoutProof = .object(members.filter { $0.0 != "consistency" }) }
        var copy = feed
        XCTAssertEqual(refusal(&copy, withoutProof), "no consistency proof from 3 to 4 entries")
        XCTAssertEqual(copy.next, 3, "a refused answer moves nothing")
    }

    func testAForkedLogIsRefused() throws {
        var feed = RevocationFeed(logKey: logKey)
        revoke("0x01")
        _ = try accepted(&feed, try answer(feed))
        // The registrar (its log key) signs a second tree of 1 entry with another root.
        let signer = try NoteSigner(parsing: try String(contentsOfFile: "\(folder!)/\(RegistrarFolder.logFolder)/\(LogWriter.keyFile)",
                                                         encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        let forged = Checkpoint(origin: logKey.name, size: 1, root: .leaf(Data("{\"type\":\"revocation\",\"address\":\"0x09\"}".utf8)))
        let note = Note(text: forged.body, signatures: [try signer.sign(forged.body)]).serialized
        let answer: JSONValue = .object([("next", .int(1)), ("checkpoint", .string(note)), ("revocations", .array([]))])
        XCTAssertEqual(refusal(&feed, answer), "the log forked: two checkpoints of 1 entries with different roots")
    }

    func testACheckpointNotSignedByTheLogKeyIsRefused() throws {
        let other = try NoteSigner(name: logKey.name, type: .ed25519)
        var feed = RevocationFeed(logKey: other.verifier)
        revoke("0x01")
        let reason = try XCTUnwrap(refusal(&feed, try answer(feed)))
        XCTAssertTrue(reason.contains("no signature by the log key"), reason)
        XCTAssertEqual(feed.next, 0)
    }

    func testRevocationsWithoutProofAreRefusedOneByOne() throws {
        revoke("0x01")
        var feed = RevocationFeed(logKey: logKey)
        let honest = try answer(feed)
        // The item claims another address than its logged entry.
        var copy = feed
        let claimed = try accepted(&copy, replacing(honest, "address", with: "0x07"))
        XCTAssertEqual(claimed.revocations.count, 0)
        XCTAssertEqual(claimed.refused.map(\.reason), ["the logged entry is not the revocation of 0x07"])
        // The entry was rewritten: it is not in the signed tree.
        copy = feed
        let entry = try XCTUnwrap(honest["revocations"]?[0]?["entry"]?.stringValue)
        let rewritten = replacing(replacing(honest, "entry", with: entry.replacingOccurrences(of: "0x01", with: "0x07")), "address", with: "0x07")
        XCTAssertEqual(try accepted(&copy, rewritten).refused.map(\.reason), ["the entry is not in the signed tree at index 0"])
        // No proof at all.
        copy = feed
        XCTAssertEqual(try accepted(&copy, replacing(honest, "inclusion", with: "")).refused.map(\.reason), ["no entry or inclusion proof"])
        // Without a log key the same answer is taken as it comes.
        var unverified = RevocationFeed(logKey: nil)
        XCTAssertEqual(try accepted(&unverified, replacing(honest, "address", with: "0x07")).revocations.map(\.address.description), ["0x07"])
        XCTAssertEqual(try accepted(&feed, honest).revocations.map(\.address.description), ["0x01"])
    }
}
