package spreadgraph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import inet.ipaddr.IPAddressString;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded with Bolt on a loopback address.
 *
 * <p>Usage: Launcher --home DIR --port N --password-file FILE [--parent-pid PID]
 * [--pagecache-mb N] [--vector-merge-factor N]. The password is read from a file so it
 * never appears in a process listing. With --parent-pid the server stops itself
 * when that process ends (used by tests). SIGTERM shuts the database down cleanly.
 *
 * <p>Anyone allowed to run Cypher (the web console) must not reach files or the network
 * through the server (issue 14), so LOAD CSV reads no file and fetches no URL, and only the
 * procedures below may be loaded from plugins.
 */
public final class Launcher {
    private Launcher() {}

    /**
     * Procedures the app, migrations, benchmarks and the analyst console call. In Neo4j 5.26 this
     * allow-list governs only procedures and functions loaded from jars in the plugins folder:
     * the built-in ones (db.*, dbms.*) are always there. It keeps a plugin dropped into the
     * plugins folder beside the database (APOC, say) from adding file or network access.
     */
    static final List<String> PROCEDURE_ALLOWLIST = List.of(
            "db.index.vector.queryNodes",
            "db.index.vector.queryRelationships",
            "db.index.fulltext.queryNodes",
            "db.index.fulltext.queryRelationships",
            "db.labels",
            "db.relationshipTypes",
            "db.propertyKeys",
            "db.awaitIndexes",
            "db.awaitIndex",
            "db.schema.visualization",
            "db.schema.nodeTypeProperties",
            "db.schema.relTypeProperties",
            "dbms.components");

    /** Lucene's merge factor for vector indexes after they are built (Neo4j's default: 50). */
    static final String VECTOR_STANDARD_MERGE_FACTOR = "internal.dbms.index.vector.standard_merge_factor";
    /** Lucene's merge factor for vector indexes while they are first built (Neo4j's default: 1000). */
    static final String VECTOR_POPULATION_MERGE_FACTOR = "internal.dbms.index.vector.population_merge_factor";

    /** LOAD CSV may fetch from no address at all (IPv4 and IPv6): no SSRF through the server. */
    static final List<IPAddressString> BLOCKED_ADDRESSES =
            List.of(new IPAddressString("0.0.0.0/0"), new IPAddressString("::/0"));

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
        // LOAD CSV's root for file URLs: an empty folder beside the database files (keep it empty).
        // File URLs are turned off below as well; without a root Neo4j would read any file the
        // process can (the password file, users.json, /proc/self/environ).
        Path importDir = Files.createDirectories(home.resolve("import"));

        // The vector merge settings are internal: their Java constants (LuceneSettings'
        // vector_standard_merge_factor and vector_population_merge_factor) moved to another
        // package after 5.26 while their names stayed, so they are set by name from a properties
        // file, which works on 5.26 and 2025.x/2026.x alike.
        Path tuning = home.resolve("launcher.conf");
        Files.writeString(tuning, String.join("\n",
                VECTOR_STANDARD_MERGE_FACTOR + "=" + vectorMergeFactor,
                VECTOR_POPULATION_MERGE_FACTOR + "=" + vectorMergeFactor,
                ""));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(tuning)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
                // server.directories.import, dbms.security.allow_csv_import_from_file_urls
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                // internal.dbms.cypher_ip_blocklist: checked for http, https and ftp URLs and
                // every redirect, before connecting.
                .setConfig(GraphDatabaseInternalSettings.cypher_ip_blocklist, BLOCKED_ADDRESSES)
                // dbms.security.procedures.allowlist
                .setConfig(GraphDatabaseSettings.procedure_allowlist, PROCEDURE_ALLOWLIST)
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
