// Every suite starts services, runners, engines or a PostgreSQL of its own and kills them: on a two-core machine they
// run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Processes are found and killed through /proc and signals: these suites are Linux-only, like the local target.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
