import ArgumentParser

@main
struct Nip: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nip",
        abstract: "New IP, runnable: decode, measure and compare it with IPv4/IPv6.",
        version: nipVersion,
        subcommands: [DemoCommand.self, EmulateCommand.self, TopologyCommand.self, DecodeCommand.self, BenchCommand.self, ClaimsCommand.self, NodeCommand.self, UpCommand.self, DownCommand.self, PingCommand.self, TracerouteCommand.self, NeighboursCommand.self, RoutesCommand.self, SendCommand.self, ListenCommand.self, CaptureCommand.self, BenchNodeCommand.self, LogCommand.self, RunCommand.self, CompareCommand.self, KeyCommand.self, RegistrarCommand.self, EnrolCommand.self, ExposureCommand.self, RouteFlapsCommand.self]
    )
}
