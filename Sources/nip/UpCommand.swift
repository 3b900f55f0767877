import ArgumentParser
import Foundation
import NewIPEmulator
import NewIPFiles
import NewIPRuntime
import NewIPTopology

struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start one real node process per node of a topology file.",
        discussion: """
        Reads the same YAML topology the emulator runs (docs/topology.md), writes one node configuration \
        per node into the state folder (default .nip/run/), starts `nip node` for each with UDP links on \
        127.0.0.1 ports, and returns once every node answers on its control endpoint. With --netns, \
        ManyNets topologies run too: IP hosts and routers are the kernel's, in their namespaces, and \
        gateways translate through a TUN device. The state file \
        (pids, ports) lets `nip ping/send/listen/capture --node NAME` find the nodes and `nip down` stop them.
        """)

    @Argument(help: "The topology file.")
    var topology: String

    @OptionGroup var nodes: NodeStartOptions

    func run() throws {
        let parsed: Topology
        do { parsed = try TopologyParser.load(path: topology) } catch { throw ToolError(error.description) }
        _ = try nodes.start(parsed, from: topology)
    }
}

/// Starting a topology's nodes, as `nip up` and `nip run` do.
struct NodeStartOptions: ParsableArguments {
    /// The run's bearer token, in the state folder.
    static let tokenFile = "token"

    @Option(help: "Folder for the state file, node configurations and logs.")
    var state = RunState.defaultDirectory

    @Option(help: "First UDP port of the links (each link takes two).")
    var basePort = 47000

    @Option(help: "First control port (each node takes two: control and application port).")
    var controlPort = 46000

    @Option(help: "Seconds to wait for all nodes to be ready.")
    var timeout = 20.0

    @Option(help: "Log level of the nodes.")
    var logLevel = "info"

    @Flag(help: "Raw Ethernet instead of UDP: one network namespace per node, a veth pair per link (needs root).")
    var netns = false

    @Flag(help: "Use --state (and `nip run`'s --out) even if it holds files nip did not write (they are kept; the node files are overwritten).")
    var force = false

    /// Starts one node per node of `parsed`, read from the file `topology`, and returns once
    /// all are ready (or throws having stopped what it started).
    func start(_ parsed: Topology, from topology: String) throws -> RunState {
        if let existing = try? RunState.load(directory: state), (existing.nodes + (existing.registrars ?? [])).contains(where: { ProcessControl.isNode($0.pid) }) {
            throw ToolError("a topology (\(existing.topology)) is already running from \(state); stop it with `nip down` first")
        }
        do { try OutputDirectory.check(state, option: "--state", force: force, inputs: [topology]) } catch {
            throw ToolError(error.description)
        }
        do { try TopologyDeployment.check(parsed) } catch { throw ToolError(error.description) }
        if let problem = TopologyDeployment.problem(with: parsed, namespaces: netns) {
            throw ToolError("\(topology): \(problem)")
        }
        var namespaces: TopologyDeployment.Namespaces?
        var made: [String] = []
        if netns {
            let spaces = TopologyDeployment.Namespaces(prefix: "nip-" + String(parsed.name.prefix(16)))
            for command in spaces.commands(for: parsed) {
                let result = ProcessControl.shell(command)
                guard result.status == 0 else {
                    ProcessControl.deleteNamespaces(parsed.nodes.map { spaces.namespace($0.name) })
                    throw ToolError("--netns: `\(command)` failed: \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
            }
            made = parsed.nodes.map { spaces.namespace($0.name) }
            namespaces = spaces
            var unshaped: [String] = []
            for shaping in spaces.shaping(for: parsed) where ProcessControl.shell(shaping.netemCommand).status != 0 {
                let fallback = ProcessControl.shell(shaping.tokenBucketCommand)
                guard fallback.status == 0 else {
                    ProcessControl.deleteNamespaces(made)
                    throw ToolError("--netns: `\(shaping.tokenBucketCommand)` failed: \(fallback.output.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
                if let missing = shaping.missingWithoutNetem { unshaped.append("\(shaping.device) in \(shaping.namespace) (\(missing))") }
            }
            if !unshaped.isEmpty {
                FileHandle.standardError.write(Data(("warning: this kernel has no netem queueing discipline, so links carry their rate "
                    + "but not their delay and loss: \(unshaped.joined(separator: ", ")); the nodes still charge each link's delay "
                    + "to contracts\n").utf8))
            }
        }
        // Self-certifying domains: members' keys are made first, their addresses derived from them.
        let parsed = parsed.domains.isEmpty ? parsed
            : try DomainDeployment.selfCertify(parsed, state: URL(fileURLWithPath: state).standardizedFileURL.path)
        var configs = TopologyDeployment.configs(for: parsed, ports: .init(links: basePort, control: controlPort),
                                                 namespaces: namespaces)
        for index in configs.indices { configs[index].logLevel = logLevel }
        let signedRouting = parsed.routing == .dynamic && parsed.routingAuthentication == .signature
        var entries: [RunState.NodeEntry] = []
        var registrars: [RunState.NodeEntry] = []
        let runState: RunState
        var tokenPath = ""
        do {
            // Whatever fails from here takes back what was started: nodes, registrars, namespaces, state file.
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            // The marker lists what `up` writes here, so a later `up` may reuse the folder.
            let written = configs.flatMap { ["\($0.name).yaml", "\($0.name).log"] }
                + [URL(fileURLWithPath: RunState.path(in: state)).lastPathComponent, DomainDeployment.folderName, Self.tokenFile]
                + (signedRouting ? RoutingKeyDeployment.files(configs) : [])
            try (["nip up"] + written).joined(separator: "\n").appending("\n")
                .write(toFile: state + "/" + OutputDirectory.markerName, atomically: true, encoding: .utf8)
            let executable = ProcessControl.currentExecutable()
            // One bearer token for the run's nodes (0600), required by their control endpoints
            // and application ports; the tools find it through the state file.
            tokenPath = URL(fileURLWithPath: state).standardizedFileURL.path + "/" + Self.tokenFile
            NodeAuth.token = try NodeAuth.create(at: tokenPath)
            for index in configs.indices { configs[index].authToken = tokenPath }
            if signedRouting {
                try RoutingKeyDeployment.prepare(&configs, folder: URL(fileURLWithPath: state).standardizedFileURL.path,
                                                 unixTime: UInt64(Date().timeIntervalSince1970))
            }
            // Domains: a registrar per domain, members enrolled, first hops' and members' `security:`.
            if !parsed.domains.isEmpty {
                guard namespaces == nil else {
                    throw ToolError("--netns: domains run on UDP links only (the registrars and first hops are loopback processes); "
                        + "leave out --netns or the topology's `domains:`")
                }
                let absolute = URL(fileURLWithPath: state).standardizedFileURL.path
                registrars = try DomainDeployment.prepare(parsed, configs: &configs, state: absolute,
                                                          ports: .init(links: basePort, control: controlPort), executable: executable,
                                                          timeout: timeout)
            }
            for config in configs {
                let configPath = "\(state)/\(config.name).yaml"
                let logPath = "\(state)/\(config.name).log"
                try TopologyDeployment.write(config, to: configPath)
                let pid: Int32
                do { pid = try ProcessControl.spawn(executable, ["node", "--config", configPath], log: logPath) } catch {
                    throw ToolError("cannot start node \(config.name): \(error)")
                }
                entries.append(RunState.NodeEntry(name: config.name, pid: pid, control: config.control.description,
                                                  app: config.app?.description ?? "", config: configPath, log: logPath))
            }
            runState = RunState(topology: topology, dialect: parsed.dialect == .compact ? "compact" : "framework", nodes: entries,
                                namespaces: made.isEmpty ? nil : made, registrars: registrars.isEmpty ? nil : registrars,
                                token: tokenPath)
            try runState.save(directory: state)
            let deadline = Date().addingTimeInterval(timeout)
            for entry in entries {
                guard let endpoint = NodeConfig.Endpoint(entry.control) else { continue }
                switch ControlClient.readiness(endpoint, pid: entry.pid, timeout: max(0, deadline.timeIntervalSinceNow)) {
                case .ready: continue
                case .exited:
                    let log = (try? String(contentsOfFile: entry.log, encoding: .utf8)) ?? ""
                    throw ToolError("node \(entry.name) exited during start-up; its log (\(entry.log)):\n\(log.suffix(2000))")
                case .answeredByAnother(let pid, let name):
                    throw ToolError("node \(entry.name)'s control endpoint \(entry.control) is answered by another process "
                        + "(pid \(pid), node `\(name)`), perhaps a topology started from another folder: stop it, "
                        + "or choose free ports with --control-port and --base-port")
                case .timedOut:
                    throw ToolError("node \(entry.name) not ready after \(timeout) s; logs in \(state)")
                }
            }
        } catch {
            ProcessControl.stopAll(entries + registrars)
            ProcessControl.deleteNamespaces(made)
            try? FileManager.default.removeItem(atPath: RunState.path(in: state))
            throw error
        }
        let wires = made.isEmpty ? "UDP on 127.0.0.1" : "veth in namespaces \(made.joined(separator: ", "))"
        print("up: \(entries.count) nodes of \(topology) (\(runState.dialect), \(wires)); state in \(state)")
        for entry in entries {
            print("  \(entry.name)\tpid \(entry.pid)\tcontrol \(entry.control)\tapp \(entry.app)")
        }
        for registrar in registrars {
            print("  domain \(registrar.name)\tregistrar pid \(registrar.pid)\tlistening \(registrar.control)\tfolder \(registrar.config)")
        }
        let spoofers = parsed.domains.flatMap(\.spoofers).map(\.host)
        if !spoofers.isEmpty {
            print("  spoofers (their application ports send from the address they claim): \(spoofers.joined(separator: ", "))")
        }
        for node in parsed.nodes where !TopologyDeployment.runsNode(node, in: parsed) {
            let addresses = node.interfaces.map { "\($0.address)" }.joined(separator: ", ")
            print("  \(node.name)\tkernel IP \(node.kind == .host ? "host" : "router") (\(addresses)) in namespace \(namespaces?.namespace(node.name) ?? "?")")
        }
        return runState
    }
}
