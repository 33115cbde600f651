// The runner's process handling is POSIX (signals, sessions, /proc); so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
