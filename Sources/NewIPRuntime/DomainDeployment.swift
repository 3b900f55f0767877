import Foundation
import NewIPDataPlane
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// A topology's `domains:` on real nodes (`nip up`, `nip run`; docs/node.md, "Domains under
/// nip up"): per domain a registrar folder (`RegistrarFolder.create`) and a `nip registrar run`
/// process, each enrolled member enrolled there with a device key of its own (the enrolment
/// file, 0600, is its node's `security: {enrolment: …}`), and the first hops' `security:`
/// sections (admission, the interfaces that face members, the domain's first-hop secret,
/// window, registrar, checkpoint interval).
///
/// Open domains get a registrar too: it is the domain's key server (the only holder of the
/// first-hop secret besides the first hops), and members that hold a key get it by enrolling
/// as in a registered domain; the first hops' `admission: open` lets everyone else through,
/// counted unproven. A domain's spoofers run with `spoofer: true` (their application port
/// sends from the address they claim); one without an authenticator is not enrolled, one that
/// forges seals with its own key.
///
/// Layout under the state folder:
///
/// ```
/// domains/campus/registrar/   registrar.conf, registrar.key, first-hop.secret, tokens, operator.token, log/
/// domains/campus/b1.key       b1's device key (0600)
/// domains/campus/b1.enrolment b1's certificate and source key (0600)
/// domains/campus/registrar.log
/// ```
public enum DomainDeployment {
    public static let folderName = "domains"

    /// A running registrar of the deployment (kept in the run state's `registrars`).
    public struct Started: Sendable {
        public var entries: [RunState.NodeEntry]
    }

    /// The certificate domain for a topology domain's name: lower case, other characters `-`.
    public static func certificateDomain(_ name: String, index: Int) -> String {
        let mapped = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") ? $0 : "-" })
        return AddressCertificate.isValidDomain(mapped) ? mapped : "domain-\(index)"
    }

    /// The registrar port of domain `index`: after every node's control and application ports.
    public static func registrarPort(_ topology: Topology, ports: TopologyDeployment.Ports, index: Int) -> Int {
        ports.control + 2 * topology.nodes.count + index
    }

    /// Creates the domains' folders under `state` (an absolute path), starts their registrars,
    /// enrols the members and sets the `security:` sections of `configs`. Returns the
    /// registrars started; on failure stops them and throws.
    public static func prepare(_ topology: Topology, configs: inout [NodeConfig], state: String,
                               ports: TopologyDeployment.Ports, executable: String,
                               timeout: Double = 10) throws -> [RunState.NodeEntry] {
        guard !topology.domains.isEmpty else { return [] }
        let root = state + "/" + folderName
        var started: [RunState.NodeEntry] = []
        do {
            let plans = topology.domainPlans()
            for plan in plans {
                let domain = topology.domains[plan.domain]
                let folder = "\(root)/\(domain.name)"
                let registrarFolder = "\(folder)/registrar"
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                // A spoofer without an authenticator must not seal: it holds no key here.
                let enrolled = plan.members.filter { plan.enrolled.contains($0) && plan.spoofers[$0]?.authenticator != Topology.Domain.Forgery.none }
                let created = try RegistrarFolder.create(directory: registrarFolder,
                                                         domain: certificateDomain(domain.name, index: plan.domain),
                                                         tokens: enrolled.count, selfCertifying: domain.selfCertifying,
                                                         keyEpoch: domain.keyEpoch.map(UInt64.init))
                let endpoint = NodeConfig.Endpoint(host: ports.host, port: registrarPort(topology, ports: ports, index: plan.domain))
                let log = "\(folder)/registrar.log"
                let pid = try ProcessControl.spawn(executable, ["registrar", "run", registrarFolder, "--listen", endpoint.description,
                                                                "--checkpoint-interval", UnitText.duration(domain.checkpointInterval)],
                                                   log: log)
                started.append(RunState.NodeEntry(name: domain.name, pid: pid, control: endpoint.description, app: "",
                                                  config: registrarFolder, log: log))
                guard ControlClient.waitUntilReady(endpoint, pid: pid, timeout: timeout) else {
                    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    throw ToolError("the registrar of domain \(domain.name) did not start on \(endpoint); its log (\(log)):\n\(text.suffix(2000))")
                }
                // Each member that holds a key: a device key, enrolled for its first New IP address.
                for (member, token) in zip(enrolled, created.tokens) {
                    let node = topology.nodes[member]
                    guard let address = node.interfaces.first(where: { !TopologyDeployment.isIP($0, topology) })?.address,
                          let index = configs.firstIndex(where: { $0.name == node.name }) else { continue }
                    // A self-certifying member's key was made with its address (`selfCertify`).
                    let keyPath = "\(folder)/\(node.name).key"
                    let identity: DeviceIdentity
                    do {
                        if domain.selfCertifying != nil {
                            identity = try KeyFile.read(keyPath)
                        } else {
                            identity = DeviceIdentity.generate()
                            try KeyFile.write(identity, to: keyPath)
                        }
                    } catch { throw ToolError("\(error)") }
                    let enrolment = try enrol(endpoint, identity: identity, address: address, token: token,
                                              registrarKey: created.registrarKey, member: node.name, domain: domain.name)
                    let path = "\(folder)/\(node.name).enrolment"
                    try enrolment.write(to: path)
                    var security = NodeConfig.Security(enrolment: path)
                    security.selfCertifying = domain.selfCertifying
                    if let period = domain.keyEpoch {
                        // It fetches each epoch's key from the registrar, signed with its key.
                        security.keyEpoch = period
                        security.identity = keyPath
                        security.registrar = endpoint
                    }
                    configs[index].security = security
                }
                // Border routers: the domain's policy, every domain's members (numbered as the
                // topology numbers them), the domain's secret to prove its members' packets.
                for router in plan.border {
                    guard let index = configs.firstIndex(where: { $0.name == topology.nodes[router].name }),
                          configs[index].border == nil else { continue }
                    configs[index].border = NodeConfig.Border(
                        domain: domain.name, domains: memberships(topology, plans: plans),
                        secret: "\(registrarFolder)/\(RegistrarFolder.secretFile)", window: domain.window, policy: domain.policy)
                    configs[index].border?.keyEpoch = domain.keyEpoch
                }
                // Spoofers send from the address they claim; one that forges seals with its own
                // key, which is not the claimed source's (the first hop finds a bad MAC).
                for spoofer in plan.spoofers.keys {
                    guard let index = configs.firstIndex(where: { $0.name == topology.nodes[spoofer].name }) else { continue }
                    configs[index].spoofer = true
                }
                for hop in plan.firstHops {
                    guard let index = configs.firstIndex(where: { $0.name == topology.nodes[hop.node].name }) else { continue }
                    configs[index].security = NodeConfig.Security(
                        admission: domain.admission == .registered ? .registered : .open,
                        firstHop: hop.interfaces.map { topology.nodes[hop.node].interfaces[$0].name },
                        secret: "\(registrarFolder)/\(RegistrarFolder.secretFile)", window: domain.window, registrar: endpoint,
                        checkpointInterval: domain.checkpointInterval, logKey: created.logKey)
                    configs[index].security?.selfCertifying = domain.selfCertifying
                    configs[index].security?.keyEpoch = domain.keyEpoch
                }
            }
        } catch {
            ProcessControl.stopAll(started)
            throw error
        }
        return started
    }

    /// Makes the domains' folder under `state` afresh and, for each member of a
    /// `self-certifying` domain, a device key (`domains/<domain>/<host>.key`, 0600); returns
    /// the topology with those members' addresses derived from their keys (docs/keys.md),
    /// which every node file, route and flow then uses. Call before building the node files.
    public static func selfCertify(_ topology: Topology, state: String) throws -> Topology {
        let root = state + "/" + folderName
        try? FileManager.default.removeItem(atPath: root)
        for interface in topology.selfCertifyingInterfaces(plans: topology.domainPlans()) {
            let folder = "\(root)/\(topology.domains[interface.domain].name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            do { try KeyFile.write(DeviceIdentity.generate(), to: "\(folder)/\(topology.nodes[interface.interface.node].name).key") } catch {
                throw ToolError("\(error)")
            }
        }
        return try selfCertified(topology, state: state)
    }

    /// `topology` with its self-certifying members' addresses derived from the keys
    /// `selfCertify` made under `state` (`nip run` reads them back to address its flows).
    public static func selfCertified(_ topology: Topology, state: String) throws -> Topology {
        var addresses: [Topology.InterfaceID: FrameworkAddress] = [:]
        for (domain, id, prefixLength) in topology.selfCertifyingInterfaces(plans: topology.domainPlans()) {
            let path = "\(state)/\(folderName)/\(topology.domains[domain].name)/\(topology.nodes[id.node].name).key"
            let identity: DeviceIdentity
            do { identity = try KeyFile.read(path) } catch { throw ToolError("\(error)") }
            guard let (address, _) = SelfCertifyingAddress.generate(prefix: topology.interface(id).address, prefixLength: prefixLength,
                                                                   publicKey: identity.publicKey) else {
                throw ToolError("\(path): no self-certifying address under \(topology.interface(id).address)/\(prefixLength)")
            }
            addresses[id] = address
        }
        return topology.replacingAddresses(addresses)
    }

    /// Every domain of `topology` with its members' addresses, in the topology's order.
    static func memberships(_ topology: Topology, plans: [Topology.DomainPlan]) -> [NodeConfig.Border.Domain] {
        plans.sorted { $0.domain < $1.domain }.map { plan in
            NodeConfig.Border.Domain(name: topology.domains[plan.domain].name,
                                     members: plan.members.flatMap { topology.nodes[$0].interfaces.map(\.address) })
        }
    }

    /// Enrols one member, waiting out the registrar's rate limit (a burst of 10 per client).
    static func enrol(_ registrar: NodeConfig.Endpoint, identity: DeviceIdentity, address: FrameworkAddress, token: String,
                      registrarKey: [UInt8], member: String, domain: String) throws -> Enrolment {
        for _ in 0..<20 {
            switch try EnrolmentClient.enrol(registrar: registrar, identity: identity, address: address, token: token,
                                             registrarKey: registrarKey) {
            case .granted(let enrolment): return enrolment
            case .refused("rate-limited", _, _): usleep(600_000)
            case .refused(let reason, let statement, _):
                throw ToolError("domain \(domain): the registrar refused to enrol \(member) (\(address)): \(reason): \(statement)")
            }
        }
        throw ToolError("domain \(domain): the registrar kept rate-limiting the enrolment of \(member)")
    }

    /// A revocation of the file (`revocations:`) as `nip run` applies it: at `at` after the
    /// flows start, `POST /revoke` at the domain's registrar with its operator token.
    public struct Revocation: Sendable {
        public var domain: String
        public var host: String
        public var address: FrameworkAddress
        public var at: Nanoseconds
        public var registrar: NodeConfig.Endpoint
        public var operatorTokenFile: String

        /// Sends the revocation; the registrar's answer or why it failed.
        public func apply() -> Result<String, ToolError> {
            guard let data = FileManager.default.contents(atPath: operatorTokenFile) else {
                return .failure(ToolError("cannot read \(operatorTokenFile)"))
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let body = "{\"address\": \"\(address)\", \"operator-token\": \"\(token)\", \"reason\": \"topology revocation of \(host)\"}"
            do {
                let response = try ControlClient.request("POST", registrar, "/revoke", body: body, token: nil)
                guard response.status == 200 else {
                    return .failure(ToolError("\(response.request) answered \(response.status): \(response.errorMessage)"))
                }
                return .success(response.body)
            } catch { return .failure(ToolError("revoking \(host) at \(registrar): \(error)")) }
        }
    }

    /// A policy change of the file (`policy-changes:`) as `nip run` applies it: at `at` after
    /// the flows start, `POST /policy` with the new rules at each of the domain's border routers.
    public struct PolicyChange: Sendable {
        public var domain: String
        public var at: Nanoseconds
        public var rules: String
        public var borders: [(name: String, control: NodeConfig.Endpoint)]

        /// Sends the rules to every border; what failed, if anything.
        public func apply() -> Result<Void, ToolError> {
            for border in borders {
                do {
                    let response = try ControlClient.request("POST", border.control, "/policy", body: rules)
                    guard response.status == 200 else {
                        return .failure(ToolError("\(response.request) answered \(response.status): \(response.errorMessage)"))
                    }
                } catch { return .failure(ToolError("changing the policy of \(border.name): \(error)")) }
            }
            return .success(())
        }
    }

    /// The file's policy changes against the border routers among `nodes` (by name).
    public static func policyChanges(_ topology: Topology, nodes: [RunState.NodeEntry]) -> [PolicyChange] {
        topology.domains.flatMap { domain -> [PolicyChange] in
            let borders = domain.border.compactMap { name -> (name: String, control: NodeConfig.Endpoint)? in
                guard let entry = nodes.first(where: { $0.name == name }), let endpoint = NodeConfig.Endpoint(entry.control) else { return nil }
                return (name, endpoint)
            }
            return domain.policyChanges.map { change in
                PolicyChange(domain: domain.name, at: change.at, rules: "[\(change.rules.map(\.text).joined(separator: ", "))]", borders: borders)
            }
        }
    }

    /// The file's revocations against the registrars of `registrars` (by domain name).
    public static func revocations(_ topology: Topology, registrars: [RunState.NodeEntry]) -> [Revocation] {
        topology.domains.flatMap { domain -> [Revocation] in
            guard let entry = registrars.first(where: { $0.name == domain.name }),
                  let endpoint = NodeConfig.Endpoint(entry.control) else { return [] }
            return domain.revocations.compactMap { revocation -> Revocation? in
                guard let node = topology.nodeIndex(named: revocation.host),
                      let address = topology.nodes[node].interfaces.first(where: { !TopologyDeployment.isIP($0, topology) })?.address
                else { return nil }
                return Revocation(domain: domain.name, host: revocation.host, address: address, at: revocation.at, registrar: endpoint,
                                  operatorTokenFile: "\(entry.config)/\(RegistrarFolder.operatorFile)")
            }
        }
    }
}
