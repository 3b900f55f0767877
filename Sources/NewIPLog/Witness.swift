import Foundation

/// A tlog-cosignature/v1 witness: it cosigns a log's checkpoint only when it is consistent with
/// the last checkpoint it cosigned for that log, so a log cannot show it two histories.
public struct Witness: Sendable {
    public let signer: NoteSigner

    public init(signer: NoteSigner) throws {
        guard signer.verifier.type == .cosignature else {
            throw LogError.refused("a witness key has type 0x04 (cosignature/v1), not \(signer.verifier.type.rawValue)")
        }
        self.signer = signer
    }

    /// Checks `reader`'s verified checkpoint against `previous` using only the tiles, then
    /// returns its note with this witness's cosignature added (replacing an older one of ours).
    public func cosign(_ reader: LogReader, previous: Checkpoint?, time: UInt64) throws -> Note {
        let current = reader.checkpoint
        if let previous {
            guard previous.origin == current.origin else {
                throw LogError.refused("the log's origin is \"\(current.origin)\", this witness follows \"\(previous.origin)\"")
            }
            guard current.size >= previous.size else {
                throw LogError.inconsistent("rollback: the log shows a tree of size \(current.size), smaller than size \(previous.size) already cosigned")
            }
            if current.size == previous.size {
                guard current.root == previous.root else {
                    throw LogError.inconsistent("split view: the log shows root \(current.root) for size \(current.size), root \(previous.root) was cosigned for that size")
                }
            } else {
                try reader.verifyRoot()
                let oldRoot = try Merkle.root(size: previous.size, reader.hashes)
                guard oldRoot == previous.root else {
                    throw LogError.inconsistent("split view: the log's tree of size \(current.size) does not extend the cosigned tree of size \(previous.size) (its first \(previous.size) entries hash to \(oldRoot), not \(previous.root))")
                }
                _ = try reader.consistency(old: previous.size, new: current.size)
            }
        } else {
            try reader.verifyRoot()
        }
        var note = reader.signed.note
        note.signatures.removeAll { $0.name == signer.verifier.name && $0.keyHash == signer.verifier.keyHash }
        note.signatures.append(try signer.sign(note.text, time: time))
        return note
    }
}
