import Foundation
import NewIPFiles
import NewIPJSON
import NewIPTopology
import NewIPWire

/// What `nip up` started: written to `<dir>/state.json` (default `.nip/run/`), read by
/// `nip down`, and by every tool given `--node NAME`. JSON: `topology`, `dialect`, `nodes`
/// (each `name`, `pid`, `control`, `app`, `config`, `log`) and, with `--netns`, `namespaces`
/// (the field names every build has written, so a state file of an older build still loads);
/// with domains, `registrars` (one entry per domain: `name` the domain, `control` its listening
/// endpoint, `config` its registrar folder) and `token` (the file holding the nodes' bearer token).
public struct RunState: Sendable {
    public struct NodeEntry: Sendable {
        public var name: String
        public var pid: Int32
        public var control: String
        public var app: String
        public var config: String
        public var log: String

        public init(name: String, pid: Int32, control: String, app: String, config: String, log: String) {
            self.name = name
            self.pid = pid
            self.control = control
            self.app = app
            self.config = config
            self.log = log
        }
    }

    public var topology: String
    public var dialect: String
    public var nodes: [NodeEntry]
    /// Network namespaces `nip up --netns` made (removed by `nip down`).
    public var namespaces: [String]?
    /// The registrars `nip up` started for the topology's domains (stopped by `nip down`).
    public var registrars: [NodeEntry]?
    /// The file holding the bearer token of the nodes' control endpoints and application ports.
    public var token: String?

    public init(topology: String, dialect: String, nodes: [NodeEntry], namespaces: [String]? = nil,
                registrars: [NodeEntry]? = nil, token: String? = nil) {
        self.topology = topology
        self.dialect = dialect
        self.nodes = nodes
        self.namespaces = namespaces
        self.registrars = registrars
        self.token = token
    }

    public static let defaultDirectory = ".nip/run"

    /// The address of a node by name: `h2` (its first address) or `h2:eth0` (that interface's).
    public func address(of name: String) throws(ToolError) -> FrameworkAddress {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        guard let entry = nodes.first(where: { $0.name == parts.first }) else {
            let names = nodes.map(\.name).joined(separator: ", ")
            throw ToolError("`\(name)` is neither an address nor a node of the running topology (\(names))")
        }
        let config: NodeConfig
        do { config = try NodeConfig.load(path: entry.config) } catch {
            throw ToolError("cannot read node \(entry.name)'s configuration \(entry.config): \(error)")
        }
        if parts.count == 2 {
            guard let interface = config.interfaces.first(where: { $0.name == parts[1] }) else {
                throw ToolError("node \(entry.name) has no interface `\(parts[1])`; it has \(config.interfaces.map(\.name).joined(separator: ", "))")
            }
            guard let address = interface.address else { throw ToolError("\(name) has no address") }
            return address
        }
        guard let address = config.localAddresses.first else { throw ToolError("node \(entry.name) has no address") }
        return address
    }

    public static func path(in directory: String) -> String { directory + "/state.json" }

    public static func load(directory: String) throws -> RunState {
        let path = path(in: directory)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolError("no running topology: \(path) does not exist (start one with `nip up TOPOLOGY.yaml`)")
        }
        do { return try RunState(json: try JSONValue.parse(data)) } catch {
            throw ToolError("\(path) is not a state file written by `nip up`: \(error)")
        }
    }

    /// Writes the state file atomically (a reader sees the old one or the new one whole).
    public func save(directory: String) throws {
        try OutputFile.write(Array(json.indentedText.utf8), to: Self.path(in: directory), force: true)
    }

    /// The state file's JSON.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("topology", .string(topology)), ("dialect", .string(dialect)),
            ("nodes", .array(nodes.map(Self.entryJSON))),
        ]
        if let namespaces { members.append(("namespaces", .array(namespaces.map { .string($0) }))) }
        if let registrars { members.append(("registrars", .array(registrars.map(Self.entryJSON)))) }
        if let token { members.append(("token", .string(token))) }
        return .object(members)
    }

    static func entryJSON(_ node: NodeEntry) -> JSONValue {
        .object([("name", .string(node.name)), ("pid", .int(Int(node.pid))), ("control", .string(node.control)),
                 ("app", .string(node.app)), ("config", .string(node.config)), ("log", .string(node.log))])
    }

    static func entries(_ json: JSONValue, _ field: String) throws(JSONValue.FieldError) -> [NodeEntry] {
        var entries: [NodeEntry] = []
        for (index, node) in try json.array(field).enumerated() {
            do throws(JSONValue.FieldError) {
                let pid = try node.int("pid")
                guard let pid32 = Int32(exactly: pid), pid32 > 0 else {
                    throw JSONValue.FieldError(field: "pid", problem: "is \(pid), not a process id")
                }
                entries.append(NodeEntry(name: try node.string("name"), pid: pid32, control: try node.string("control"),
                                         app: try node.string("app"), config: try node.string("config"), log: try node.string("log")))
            } catch { throw error.inside("\(field)[\(index)]") }
        }
        return entries
    }

    /// Reads the state file's JSON; a missing or mistyped field is an error naming it (`nodes[1].pid`).
    public init(json: JSONValue) throws(JSONValue.FieldError) {
        topology = try json.string("topology")
        dialect = try json.string("dialect")
        nodes = try Self.entries(json, "nodes")
        namespaces = try json.optionalField("namespaces").map { value throws(JSONValue.FieldError) in
            try value.array().enumerated().map { index, name throws(JSONValue.FieldError) in
                do throws(JSONValue.FieldError) { return try name.string() } catch { throw error.inside("namespaces[\(index)]") }
            }
        }
        registrars = try json.optionalField("registrars") == nil ? nil : try Self.entries(json, "registrars")
        token = try json.optionalString("token")
    }
}

/// A failure the user can act on; the CLI prints it as `Error: <message>` and exits 1.
public struct ToolError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// How a tool reaches a node: by name through the state file of `nip up`, or by its control
/// endpoint directly.
public struct NodeTarget: Sendable {
    public var name: String
    public var control: NodeConfig.Endpoint
    public var app: NodeConfig.Endpoint?

    /// `node` names a node of the running topology in `stateDirectory`; `control` is `host:port`.
    /// The token the node requires is read from `tokenFile`, else from the run state's `token`
    /// file, and set as `NodeAuth.token` for this process's requests.
    public static func resolve(node: String?, control: String?, stateDirectory: String, tokenFile: String? = nil) throws -> NodeTarget {
        if let tokenFile {
            do { NodeAuth.token = try NodeAuth.read(tokenFile) } catch { throw ToolError("--token-file: \(error)") }
        } else if let state = try? RunState.load(directory: stateDirectory), let path = state.token {
            do { NodeAuth.token = try NodeAuth.read(path) } catch { throw ToolError("the token of the running topology: \(error)") }
        }
        if let control {
            guard let endpoint = NodeConfig.Endpoint(control) else { throw ToolError("--control `\(control)` is not host:port") }
            return try fromControl(endpoint, name: node ?? control)
        }
        guard let node else { throw ToolError("say which node: --node NAME (of `nip up`) or --control HOST:PORT") }
        let state = try RunState.load(directory: stateDirectory)
        guard let entry = state.nodes.first(where: { $0.name == node }) else {
            throw ToolError("no node `\(node)` in the running topology; it has \(state.nodes.map(\.name).joined(separator: ", "))")
        }
        guard ProcessControl.isNode(entry.pid) else {
            throw ToolError("node \(node) (pid \(entry.pid)) is not running: it exited or was killed (its log: \(entry.log)); "
                + "restart the topology with `nip down --state \(stateDirectory)` and `nip up \(state.topology)`")
        }
        guard let endpoint = NodeConfig.Endpoint(entry.control) else { throw ToolError("bad control endpoint in the state file") }
        return NodeTarget(name: entry.name, control: endpoint, app: NodeConfig.Endpoint(entry.app))
    }

    /// Asks the node for its application port.
    public static func fromControl(_ endpoint: NodeConfig.Endpoint, name: String) throws -> NodeTarget {
        let response = try ControlClient.request("GET", endpoint, "/status")
        guard response.status == 200 else { throw ToolError("the node at \(endpoint) answered \(response.status)") }
        let (answered, app): (String?, String?)
        do {
            (answered, app) = try response.read { status throws(JSONValue.FieldError) in
                (try status.optionalString("name"), try status.optionalString("app"))
            }
        } catch { throw ToolError(error.description) }
        return NodeTarget(name: answered ?? name, control: endpoint, app: app.flatMap(NodeConfig.Endpoint.init))
    }

    public func requireApp() throws -> NodeConfig.Endpoint {
        guard let app else { throw ToolError("node \(name) has no application port (`app:` in its config)") }
        return app
    }
}

/// Runs async work from a synchronous command and waits for it.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let semaphore = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return try box.result!.get()
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
