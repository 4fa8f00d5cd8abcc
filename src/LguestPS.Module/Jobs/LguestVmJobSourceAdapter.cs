using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace LguestPS.Jobs;

/*
 * Where PowerShell keeps VM jobs. A Job2 belongs to a job source adapter:
 * Get-Job, Receive-Job, Remove-Job and Wait-Job ask every registered
 * adapter for its jobs, and Receive-Job -AutoRemoveJob removes a Job2 only
 * through its adapter (a Job2 found in the plain job repository instead
 * gets "cannot remove the job because it does not exist"). Import-Module
 * registers this adapter, one per runspace, because it is a public type of
 * the module with a public constructor; Start-LguestVm hands each new job
 * to it through JobManager.NewJob.
 */
/// <summary>The job source adapter of LguestVmJob: the VM jobs of one runspace.</summary>
public sealed class LguestVmJobSourceAdapter : JobSourceAdapter
{
    /// <summary>The key under which Start-LguestVm passes its job to NewJob.</summary>
    internal const string JobParameter = "Job";

    private readonly ConcurrentDictionary<Guid, LguestVmJob> _jobs = new();

    public LguestVmJobSourceAdapter() => Name = nameof(LguestVmJobSourceAdapter);

    /// <summary>
    /// Puts a new job where PowerShell's job cmdlets find it: with this
    /// adapter, or, in a runspace that loaded the module without Import-Module
    /// (so no adapter was registered), in the plain job repository.
    /// </summary>
    internal static void Add(LguestVmJob job, JobManager manager, JobRepository repository)
    {
        var definition = new JobDefinition(typeof(LguestVmJobSourceAdapter), job.Command, job.Name);
        var parameters = new Dictionary<string, object> { [JobParameter] = job };
        try
        {
            manager.NewJob(new JobInvocationInfo(definition, parameters));
        }
        catch (InvalidOperationException)
        {
            repository.Add(job);
        }
    }

    /// <summary>Takes in a job Start-LguestVm made; a VM job is never made from a definition alone.</summary>
    public override Job2 NewJob(JobInvocationInfo specification)
    {
        var job = specification.Parameters.SelectMany(p => p).FirstOrDefault(p => p.Name == JobParameter)?.Value as LguestVmJob
            ?? throw new InvalidOperationException("A VM job is made by Start-LguestVm, not from a job definition.");
        _jobs[job.InstanceId] = job;
        return job;
    }

    public override IList<Job2> GetJobs() => Ordered(_ => true);

    public override IList<Job2> GetJobsByName(string name, bool recurse)
    {
        var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
        return Ordered(j => pattern.IsMatch(j.Name));
    }

    public override IList<Job2> GetJobsByCommand(string command, bool recurse)
    {
        var pattern = new WildcardPattern(command, WildcardOptions.IgnoreCase);
        return Ordered(j => pattern.IsMatch(j.Command));
    }

    public override IList<Job2> GetJobsByState(JobState state, bool recurse) => Ordered(j => j.JobStateInfo.State == state);

    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse) => new List<Job2>();

    /*
     * Receive-Job -Wait -AutoRemoveJob removes a job that ends while it
     * starts twice: once on its pipeline thread, once more from its
     * StateChanged handler, which runs on our thread inside the job's
     * SetJobState. The second removal must find the job, or PowerShell
     * reports ReceiveJobAutoRemovalError; so, on that thread and only while
     * the end is being announced, the finishing job is still found here
     * (RemoveJob then has nothing left to do).
     */
    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) =>
        _jobs.TryGetValue(instanceId, out var job) ? job
        : LguestVmJob.Finishing is { } finishing && finishing.InstanceId == instanceId ? finishing : null;

    public override Job2? GetJobBySessionId(int id, bool recurse) => _jobs.Values.FirstOrDefault(j => j.Id == id);

    /// <summary>Forgets the job; a VM still running is stopped first (Remove-Job -Force stops it before asking).</summary>
    public override void RemoveJob(Job2 job)
    {
        if (_jobs.TryRemove(job.InstanceId, out var removed) && removed.JobStateInfo.State is JobState.NotStarted or JobState.Running or JobState.Stopping)
            removed.StopJob();
    }

    /// <summary>Jobs in the order they were started, as Get-Job lists its own.</summary>
    private IList<Job2> Ordered(Func<LguestVmJob, bool> match) =>
        _jobs.Values.Where(match).OrderBy(j => j.Id).Cast<Job2>().ToList();
}
