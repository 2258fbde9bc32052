package org.streamlab.clickhouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClickHouseErrorsTest {
    @Test
    void extractsTheEngineMessageOf1816AndOfCurrentServers() {
        String old = "ClickHouse exception, code: 62, host: 127.0.0.1, port: 8123; Code: 62, e.displayText() = "
                + "DB::Exception: Syntax error: failed at position 10 (line 1, col 10): FORM t. Expected one of: "
                + "FROM, end of query, e.what() = DB::Exception\n";
        assertEquals("Syntax error: failed at position 10 (line 1, col 10): FORM t. Expected one of: FROM, end of query",
                ClickHouseErrors.engineMessage(old));
        assertEquals(62, ClickHouseErrors.code(old));
        String appended = "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 15 (line 1, col 15): "
                + "e FORMAT TabSeparatedWithNamesAndTypes;. Expected alias cannot be here, e.what() = DB::Exception";
        assertEquals("Syntax error: failed at position 15 (line 1, col 15): e. Expected alias cannot be here",
                ClickHouseErrors.engineMessage(appended));
        String modern = "Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. "
                + "(UNKNOWN_TABLE) (version 24.8.1.1)";
        assertEquals("Unknown table expression identifier 'nope' in scope SELECT * FROM nope. (UNKNOWN_TABLE)",
                ClickHouseErrors.engineMessage(modern));
        assertEquals(60, ClickHouseErrors.code(modern));
    }

    @Test
    void recognisesConnectionFailures() {
        assertTrue(ClickHouseErrors.isConnectionFailure(new SQLException("x", new ConnectException("Connection refused"))));
        assertFalse(ClickHouseErrors.isConnectionFailure(new SQLException("Code: 62, DB::Exception: Syntax error")));
    }

    @Test
    void driverFollowsTheServerVersion() {
        assertTrue(ClickHouseService.chooseLegacy("18.16.1", Optional.empty()));
        assertFalse(ClickHouseService.chooseLegacy("24.8.4.13", Optional.empty()));
        assertFalse(ClickHouseService.chooseLegacy("18.16.1", Optional.of("official")));
        assertTrue(ClickHouseService.chooseLegacy("25.1.1", Optional.of("LEGACY")));
    }

    @Test
    void parsesExternalAddresses() {
        Endpoint e = Endpoint.parse("http://bob:secret@ch.example:8124/analytics", "set it");
        assertEquals("ch.example", e.host());
        assertEquals(8124, e.port());
        assertEquals("bob", e.user());
        assertEquals("secret", e.password());
        assertEquals("analytics", e.database());
        assertEquals("http://bob@ch.example:8124/analytics", e.display());
        Endpoint bare = Endpoint.parse("localhost:8123", "set it");
        assertEquals("http://localhost:8123", bare.httpBase());
        assertEquals("default", bare.database());
    }
}
