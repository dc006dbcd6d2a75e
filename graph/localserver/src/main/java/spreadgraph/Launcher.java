package spreadgraph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.api.impl.index.LuceneSettings;

/**
 * Runs Neo4j Community embedded with Bolt on a loopback address.
 *
 * <p>Usage: Launcher --home DIR --port N --password-file FILE [--parent-pid PID]
 * [--pagecache-mb N] [--vector-merge-factor N]. The password is read from a file so it
 * never appears in a process listing. With --parent-pid the server stops itself
 * when that process ends (used by tests). SIGTERM shuts the database down cleanly.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i], args[i + 1]);
        }
        Path home = Path.of(require(opts, "--home")).toAbsolutePath();
        int port = Integer.parseInt(require(opts, "--port"));
        String password = Files.readString(Path.of(require(opts, "--password-file"))).strip();
        long pagecacheMb = Long.parseLong(opts.getOrDefault("--pagecache-mb", "256"));
        // How many vector-index segments of one size Lucene lets pile up before merging them, both
        // while an index is first built and afterwards (Neo4j's defaults: 1000 and 50).
        int vectorMergeFactor = Integer.parseInt(opts.getOrDefault("--vector-merge-factor", "50"));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
                .setConfig(LuceneSettings.vector_standard_merge_factor, vectorMergeFactor)
                .setConfig(LuceneSettings.vector_population_merge_factor, vectorMergeFactor)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));
        try {
            setPassword(dbms, password);
        } catch (RuntimeException e) {
            // Neo4j's threads would keep the JVM alive: fail loudly and exit instead of hanging.
            System.out.println("spreadgraph-neo4j failed: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("spreadgraph-neo4j ready bolt://127.0.0.1:" + port);
        System.out.flush();

        String parent = opts.get("--parent-pid");
        if (parent != null) {
            long pid = Long.parseLong(parent);
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                Thread.sleep(1000);
            }
            System.out.println("parent process " + pid + " ended; stopping");
            System.exit(0);
        }
        Thread.currentThread().join();
    }

    /** Sets the neo4j user's password; setting the password it already has is not an error. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    private static String require(Map<String, String> opts, String key) {
        String value = opts.get(key);
        if (value == null) {
            System.err.println("missing " + key);
            System.exit(2);
        }
        return value;
    }
}
