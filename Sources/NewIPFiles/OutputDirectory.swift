import Foundation

/// Writes a set of files as one folder, atomically and safely: everything goes into a
/// temporary folder beside the target, which then replaces it by renames, so a reader sees
/// the old folder or the complete new one. A folder is replaced only when nip wrote it
/// (the `.nip-output` marker lists what it wrote) or the caller forces it, and never when
/// it is the working folder, an ancestor of it, or holds one of the inputs.
public enum OutputDirectory {
    /// The marker file: its first line names the writer, the rest are the files written.
    public static let markerName = ".nip-output"

    /// Whether `write` would succeed as far as the target folder is concerned; call it
    /// before a long run so a refusal comes first.
    /// - Parameters:
    ///   - option: the option that named the folder (`--out`), for messages.
    ///   - inputs: files the command reads; a folder holding one of them is never replaced.
    public static func check(_ path: String, option: String? = nil, force: Bool = false, inputs: [String] = []) throws(FileProblem) {
        func refuse(_ problem: String) -> FileProblem { FileProblem(path, option: option, problem) }
        guard !path.isEmpty else { throw refuse("the path is empty; name a folder to write") }
        switch PathKind(path, following: false) {
        case .missing:
            return
        case .unreachable(let code):
            throw refuse(Paths.unreachable(path, code))
        case .file, .other:
            throw refuse("is a file, not a folder; nip writes a folder of results here, so choose another name")
        case .folder:
            break
        }
        if let reason = protection(of: path, inputs: inputs) {
            throw refuse("\(reason); nip replaces its output folder whole, so choose a new folder (--force does not apply)")
        }
        guard !force else { return }
        let foreign = try foreignEntries(in: path, option: option)
        if !foreign.isEmpty {
            let shown = foreign.prefix(3).joined(separator: ", ") + (foreign.count > 3 ? ", ..." : "")
            throw refuse("the folder holds \(foreign.count) \(foreign.count == 1 ? "entry" : "entries") nip did not write "
                         + "(\(shown)); choose a new folder or pass --force")
        }
    }

    /// Writes `files` as the folder `path`, replacing it when `check` allows; `writer`
    /// (`nip emulate`) goes into the marker. Creates missing parent folders. On any error
    /// nothing is left behind and the old folder is untouched.
    public static func write(_ files: [(name: String, contents: [UInt8])], to path: String, writer: String,
                             option: String? = nil, force: Bool = false, inputs: [String] = []) throws(FileProblem) {
        let staging = try begin(path, writer: writer, option: option, force: force, inputs: inputs)
        do { try staging.finish(files) } catch {
            staging.discard()
            throw error
        }
    }

    /// Starts writing the folder `path` when `check` allows: files go into a hidden folder
    /// beside it (`Staging.path`; a long run may write some there as they grow, such as
    /// captures), which `finish` puts in place as `write` does.
    public static func begin(_ path: String, writer: String, option: String? = nil, force: Bool = false,
                             inputs: [String] = []) throws(FileProblem) -> Staging {
        func refuse(_ problem: String) -> FileProblem { FileProblem(path, option: option, problem) }
        try check(path, option: option, force: force, inputs: inputs)
        let parent = Paths.parent(of: path)
        try makeFolders(parent, for: path, option: option)
        if let problem = Paths.folderProblem(parent) { throw refuse(problem) }
        let staging = Paths.staging(for: path)
        guard mkdir(staging, 0o755) == 0 else { throw refuse("cannot create files in \(parent) (\(FileProblem.cause(errno)))") }
        return Staging(path: staging, target: path, writer: writer, option: option)
    }

    /// A folder of results being written; see `begin`.
    public struct Staging: Sendable {
        /// The hidden folder to write into until `finish`.
        public let path: String
        let target: String
        let writer: String
        let option: String?

        /// Adds `files` and the marker (listing everything in the folder, since nip wrote all
        /// of it), then replaces the target with it. On failure the staging folder stays for
        /// `discard`.
        public func finish(_ files: [(name: String, contents: [UInt8])]) throws(FileProblem) {
            func refuse(_ problem: String) -> FileProblem { FileProblem(target, option: option, problem) }
            for file in files {
                do { try Paths.writeNew(file.contents, to: Paths.join(path, file.name)) } catch {
                    throw refuse("cannot write \(file.name) (\(FileProblem.cause(error.code)))")
                }
            }
            let names: [String]
            do { names = try Paths.entries(of: path).sorted() } catch {
                throw refuse("cannot list what was written (\(FileProblem.cause(error.code)))")
            }
            let marker = ([writer] + names).joined(separator: "\n") + "\n"
            do { try Paths.writeNew(Array(marker.utf8), to: Paths.join(path, markerName)) } catch {
                throw refuse("cannot write \(markerName) (\(FileProblem.cause(error.code)))")
            }
            try replace(target, with: path, option: option)
        }

        /// Removes the staging folder and what was written into it.
        public func discard() { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Moves `staging` to `path`, putting an old folder aside first and back on failure.
    private static func replace(_ path: String, with staging: String, option: String?) throws(FileProblem) {
        guard PathKind(path, following: false) == .folder else {
            guard rename(staging, path) == 0 else { throw FileProblem(path, option: option, "cannot create it (\(FileProblem.cause(errno)))") }
            return
        }
        let old = Paths.staging(for: path, "old")
        guard rename(path, old) == 0 else { throw FileProblem(path, option: option, "cannot replace it (\(FileProblem.cause(errno)))") }
        guard rename(staging, path) == 0 else {
            let code = errno
            rename(old, path)
            throw FileProblem(path, option: option, "cannot replace it (\(FileProblem.cause(code)))")
        }
        // The new results are in place; a leftover old copy does no harm.
        try? FileManager.default.removeItem(atPath: old)
    }

    /// Creates `folder` and its missing parents, naming the first one that cannot be made.
    private static func makeFolders(_ folder: String, for path: String, option: String?) throws(FileProblem) {
        switch PathKind(folder) {
        case .folder: return
        case .missing:
            try makeFolders(Paths.parent(of: folder), for: path, option: option)
            guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
                throw FileProblem(path, option: option, "cannot create the folder \(folder) (\(FileProblem.cause(errno)))")
            }
        case .file, .other: throw FileProblem(path, option: option, "\(folder) is a file, not a folder")
        case .unreachable(let code): throw FileProblem(path, option: option, Paths.unreachable(folder, code))
        }
    }

    /// Why the folder must never be replaced, if it must not.
    static func protection(of path: String, inputs: [String]) -> String? {
        guard let target = Paths.real(path) else { return nil }
        let here = Paths.real(FileManager.default.currentDirectoryPath) ?? FileManager.default.currentDirectoryPath
        if target == here { return "it is the folder you are in" }
        if isAncestor(target, of: here) { return "it holds the folder you are in" }
        for input in inputs {
            if let file = Paths.real(input), isAncestor(target, of: file) { return "it holds the input file \(input)" }
        }
        return nil
    }

    private static func isAncestor(_ folder: String, of path: String) -> Bool {
        folder == "/" ? path != "/" : path.hasPrefix(folder + "/")
    }

    /// The entries of the folder nip did not write, sorted: all of them unless a marker lists them.
    private static func foreignEntries(in path: String, option: String?) throws(FileProblem) -> [String] {
        let entries: [String]
        do {
            entries = try Paths.entries(of: path)
        } catch {
            throw FileProblem(path, option: option, "cannot list the folder (\(FileProblem.cause(error.code)))")
        }
        let marker = Paths.join(path, markerName)
        let written = (try? String(contentsOfFile: marker, encoding: .utf8)).map { Set($0.split(separator: "\n").dropFirst().map(String.init)) }
        guard let written else { return entries.sorted() }
        return entries.filter { $0 != markerName && !written.contains($0) }.sorted()
    }
}
