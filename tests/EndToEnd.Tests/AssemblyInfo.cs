// The end-to-end tests start services, runners and engines; on a two-core machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
