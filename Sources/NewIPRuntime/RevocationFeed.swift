import Foundation
import NewIPJSON
import NewIPLog
import NewIPWire

/// What a first hop accepts from its registrar's `GET /revocations` (docs/node.md, "Registered
/// mode"): with the registrar's log key, only decisions it can prove were published — the
/// checkpoint's signature verifies, the log grew from the checkpoint verified before without
/// rewriting it (consistency proof), and each revocation's entry is in the signed tree
/// (inclusion proof) and says what the answer claims. Without a log key it takes the answer
/// as it comes (and says so in `GET /security`).
///
/// Pure: the poller feeds it answers; no clock, no I/O.
struct RevocationFeed {
    /// The registrar's log verifier key (`security: {log-key: …}`).
    let logKey: NoteVerifier?
    /// The last checkpoint accepted (verified when `logKey` is set).
    private(set) var checkpoint: Checkpoint?
    /// Where the next request starts: the size of the last accepted checkpoint.
    var next: Int { checkpoint?.size ?? 0 }

    /// An answer the feed refuses entirely: its checkpoint is not the log's, or the log forked.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// A revocation the feed accepted, and ones it refused (with why).
    struct Accepted {
        var checkpoint: Checkpoint
        var revocations: [(address: FrameworkAddress, index: Int)]
        var refused: [(index: Int, reason: String)]
    }

    init(logKey: NoteVerifier?) { self.logKey = logKey }

    /// The query of the next request: revocations from `next`, a consistency proof from it.
    var query: String { "/revocations?since=\(next)" + (logKey != nil && next > 0 ? "&known=\(next)" : "") }

    mutating func accept(_ answer: JSONValue) -> Result<Accepted, Refusal> {
        guard let note = answer["checkpoint"]?.stringValue else { return .failure(Refusal(description: "the answer has no checkpoint")) }
        let checkpoint: Checkpoint
        do {
            if let logKey {
                checkpoint = try SignedCheckpoint(Data(note.utf8), source: "the registrar's checkpoint", log: logKey).checkpoint
            } else {
                checkpoint = try Checkpoint(body: try Note(parsing: Data(note.utf8), source: "the registrar's checkpoint").text,
                                            source: "the registrar's checkpoint")
            }
        } catch {
            return .failure(Refusal(description: "\(error)"))
        }
        if let logKey, let previous = self.checkpoint {
            if let problem = Self.consistencyProblem(from: previous, to: checkpoint, answer["consistency"]?.stringValue, origin: logKey.name) {
                return .failure(Refusal(description: problem))
            }
        } else if let previous = self.checkpoint, checkpoint.size < previous.size {
            return .failure(Refusal(description: "the log shrank from \(previous.size) to \(checkpoint.size) entries"))
        }
        var accepted = Accepted(checkpoint: checkpoint, revocations: [], refused: [])
        for item in answer["revocations"]?.arrayValue ?? [] {
            let index = item["index"]?.intValue ?? -1
            guard let text = item["address"]?.stringValue, let address = FrameworkAddress(text), index >= 0, index < checkpoint.size else {
                accepted.refused.append((index, "not a revocation within the checkpoint's \(checkpoint.size) entries"))
                continue
            }
            if logKey != nil, let problem = Self.inclusionProblem(item, address: address, index: index, checkpoint: checkpoint) {
                accepted.refused.append((index, problem))
                continue
            }
            accepted.revocations.append((address, index))
        }
        self.checkpoint = checkpoint
        return .success(accepted)
    }

    /// Why `next` does not extend `previous`, or `nil` when it does.
    private static func consistencyProblem(from previous: Checkpoint, to next: Checkpoint, _ text: String?, origin: String) -> String? {
        if next.size == previous.size {
            return next.root == previous.root ? nil
                : "the log forked: two checkpoints of \(next.size) entries with different roots"
        }
        guard next.size > previous.size else { return "the log shrank from \(previous.size) to \(next.size) entries" }
        // Every tree extends the empty one.
        guard previous.size > 0 else { return nil }
        guard let text, let proof = try? ConsistencyProof(parsing: text, source: "the consistency proof") else {
            return "no consistency proof from \(previous.size) to \(next.size) entries"
        }
        guard proof.oldSize == previous.size, proof.oldRoot == previous.root, proof.newSize == next.size, proof.newRoot == next.root,
              proof.verify() else {
            return "the log forked: the tree of \(next.size) entries does not extend the one of \(previous.size) verified before"
        }
        return nil
    }

    /// Why a revocation item is not proven in `checkpoint`, or `nil` when it is.
    private static func inclusionProblem(_ item: JSONValue, address: FrameworkAddress, index: Int, checkpoint: Checkpoint) -> String? {
        guard let entry = item["entry"]?.stringValue, let text = item["inclusion"]?.stringValue,
              let proof = try? InclusionProof(parsing: text, source: "inclusion proof of entry \(index)") else {
            return "no entry or inclusion proof"
        }
        guard proof.index == index, proof.size == checkpoint.size, proof.root == checkpoint.root,
              proof.verify(leaf: .leaf(Data(entry.utf8))) else {
            return "the entry is not in the signed tree at index \(index)"
        }
        guard let value = try? JSONValue.parse(Array(entry.utf8)), value["type"]?.stringValue == "revocation",
              value["address"]?.stringValue.flatMap(FrameworkAddress.init) == address else {
            return "the logged entry is not the revocation of \(address)"
        }
        return nil
    }
}
