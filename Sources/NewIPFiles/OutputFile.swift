import Foundation

/// Writes single files safely: an existing file is replaced only when nip generated it
/// (it starts with the generated header the caller gives) or the caller forces it; a
/// folder is never replaced. Whole files are written to a temporary file and renamed, so
/// a failure never leaves half a file or a stray temporary.
public enum OutputFile {
    /// Whether `write` or `create` may write `path`; call it before slow work.
    /// - Parameters:
    ///   - option: the option that named the file (`--output`), for messages.
    ///   - generatedHeader: how files nip generated begin; such a file is replaced freely.
    public static func check(_ path: String, option: String? = nil, force: Bool = false,
                             generatedHeader: String? = nil) throws(FileProblem) {
        func refuse(_ problem: String) -> FileProblem { FileProblem(path, option: option, problem) }
        guard !path.isEmpty else { throw refuse("the path is empty; name a file to write") }
        switch PathKind(path) {
        case .missing:
            break
        case .folder:
            throw refuse("is a folder, not a file; name a file to write")
        case .other:
            throw refuse("is not a regular file; name a file to write")
        case .unreachable(let code):
            if let problem = Paths.folderProblem(Paths.parent(of: path)) { throw refuse(problem) }
            throw refuse(Paths.unreachable(path, code))
        case .file:
            if !force && !startsWith(path, generatedHeader) {
                throw refuse("the file exists and nip did not write it; choose another name or pass --force")
            }
        }
        if let problem = Paths.folderProblem(Paths.parent(of: path)) { throw refuse(problem) }
    }

    /// Writes `bytes` as the file `path`, atomically, if `check` allows.
    public static func write(_ bytes: [UInt8], to path: String, option: String? = nil, force: Bool = false,
                             generatedHeader: String? = nil) throws(FileProblem) {
        try check(path, option: option, force: force, generatedHeader: generatedHeader)
        let temporary = Paths.staging(for: path)
        do throws(Paths.Failure) {
            try Paths.writeNew(bytes, to: temporary)
            guard rename(temporary, path) == 0 else { throw Paths.Failure(code: errno) }
        } catch {
            unlink(temporary)
            throw FileProblem(path, option: option, "cannot write it (\(FileProblem.cause(error.code)))")
        }
    }

    /// Opens `path` for writing as it goes (a capture that may be stopped at any moment),
    /// if `check` allows; an allowed existing file is emptied.
    public static func create(_ path: String, option: String? = nil, force: Bool = false,
                              generatedHeader: String? = nil) throws(FileProblem) -> FileHandle {
        try check(path, option: option, force: force, generatedHeader: generatedHeader)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileProblem(path, option: option, "cannot create it (\(FileProblem.cause(errno)))") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    private static func startsWith(_ path: String, _ header: String?) -> Bool {
        guard let header, let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let expected = Array(header.utf8)
        let start = (try? handle.read(upToCount: expected.count)) ?? nil
        return start.map { Array($0) == expected } ?? false
    }
}
