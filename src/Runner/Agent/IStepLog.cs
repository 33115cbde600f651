namespace Runner.Agent;

/// <summary>The step's log as a handler sees it: lines written here reach the run's log in order. Thread safe.</summary>
internal interface IStepLog
{
    void Write(string line);
}
