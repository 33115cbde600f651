// The end-to-end tests start services, runners and engines; on a two-core machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Processes are found and killed through /proc and signals: these tests are Linux-only, like the local target.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
