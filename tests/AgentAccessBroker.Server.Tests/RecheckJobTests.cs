using AgentAccessBroker.Brokering;
using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace AgentAccessBroker.Server.Tests;

/// <summary>The broker schedules the re-verification of revoked leases and its job runs in the host as composed.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RecheckJobTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Serve_RecheckJob_ScheduledEverySweepAndRunsWithoutError()
    {
        var parent = Directory.CreateTempSubdirectory("aab-recheck-job-").FullName;
        try
        {
            var policy = Path.Combine(parent, "policy.yaml");
            await File.WriteAllTextAsync(policy, TestPolicy.Yaml(postgres.Cluster.Port, "aab_broker_unused", "unused"));
            var app = await BrokerServer.BuildAsync(new BrokerServerOptions
            {
                DataDirectory = Path.Combine(parent, "data"),
                PolicyPath = policy,
                Urls = "http://127.0.0.1:0",
                FileLogging = false,
                ConsoleLogLevel = Serilog.Events.LogEventLevel.Fatal,
                RevocationRecheckInterval = TimeSpan.FromMinutes(3),
            });
            await app.StartAsync();
            try
            {
                Assert.Equal(TimeSpan.FromMinutes(3), app.Services.GetRequiredService<RevocationRecheckOptions>().Interval);
                var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
                var key = new JobKey("recheck-revoked", "broker");
                var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(await scheduler.GetTrigger(new TriggerKey("recheck-revoked", "broker")));
                Assert.Equal(TimeSpan.FromMinutes(1), trigger.RepeatInterval);

                var ran = new RanListener();
                scheduler.ListenerManager.AddJobListener(ran, [new OneJob(key)]);
                await scheduler.TriggerJob(key);
                var error = await ran.Executed.Task.WaitAsync(TimeSpan.FromSeconds(60));

                Assert.Null(error);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    private sealed class RanListener : IJobListener
    {
        public TaskCompletionSource<JobExecutionException?> Executed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "recheck-ran";

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            Executed.TrySetResult(jobException);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class OneJob(JobKey key) : IMatcher<JobKey>
    {
        public bool IsMatch(JobKey other) => key.Equals(other);
    }
}
