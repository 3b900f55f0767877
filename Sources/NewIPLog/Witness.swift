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

/// A witness's folder: its key (`witness.key`, mode 0600, and `witness.vkey`) and, per log
/// origin, the last checkpoint it cosigned (`seen/<percent-encoded origin>`).
public final class WitnessState {
    public let directory: String
    public let witness: Witness
    /// Whether this call made the key.
    public let created: Bool

    public init(directory: String, name: String) throws {
        self.directory = directory
        let keyPath = directory + "/witness.key"
        if FileManager.default.fileExists(atPath: keyPath) {
            let signer = try NoteSigner(parsing: String(decoding: try readFile(keyPath), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            guard signer.verifier.name == name else {
                throw LogError.refused("\(directory) holds the key of witness \"\(signer.verifier.name)\", not \"\(name)\"")
            }
            witness = try Witness(signer: signer)
            created = false
        } else {
            let signer = try NoteSigner(name: name, type: .cosignature)
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw LogError.io(directory, "cannot create folder")
            }
            var files = DurableWriter(root: directory)
            try files.write(Data((signer.text + "\n").utf8), to: "witness.key", mode: 0o600)
            try files.write(Data((signer.verifier.text + "\n").utf8), to: "witness.vkey")
            try files.sync()
            witness = try Witness(signer: signer)
            created = true
        }
    }

    func file(_ origin: String) -> String {
        "seen/" + (origin.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? origin)
    }

    /// The checkpoint last cosigned for `origin`; our own cosignature on it must verify, so a
    /// tampered state file is refused rather than trusted.
    public func lastCosigned(origin: String) throws -> Checkpoint? {
        let path = directory + "/" + file(origin)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let note = try Note(parsing: try readFile(path), source: path)
        guard note.signatures.contains(where: { witness.signer.verifier.verify($0, body: note.text) }) else {
            throw LogError.badSignature("\(path): no valid cosignature by this witness on the checkpoint it recorded")
        }
        return try Checkpoint(body: note.text, source: path)
    }

    public func record(_ note: Note, origin: String) throws {
        var files = DurableWriter(root: directory)
        try files.write(Data(note.serialized.utf8), to: file(origin))
        try files.sync()
    }
}
