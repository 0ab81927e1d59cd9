using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Donations.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RecordMembershipStatusAndFailedPayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MembershipPaymentFailures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MembershipId = table.Column<long>(type: "bigint", nullable: false),
                    StripeInvoiceId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    FailedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MembershipPaymentFailures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MembershipPaymentFailures_Memberships_MembershipId",
                        column: x => x.MembershipId,
                        principalTable: "Memberships",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MembershipStatusChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MembershipId = table.Column<long>(type: "bigint", nullable: false),
                    ChangedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Paused = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MembershipStatusChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MembershipStatusChanges_Memberships_MembershipId",
                        column: x => x.MembershipId,
                        principalTable: "Memberships",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Each membership's status as it stands, from its newest event: the history starts here.
            migrationBuilder.Sql("""
                INSERT INTO "MembershipStatusChanges" ("MembershipId", "ChangedAt", "Status", "Paused") SELECT "Id", "LastEventAt", "Status", "Paused" FROM "Memberships";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_MembershipPaymentFailures_FailedAt",
                table: "MembershipPaymentFailures",
                column: "FailedAt");

            migrationBuilder.CreateIndex(
                name: "IX_MembershipPaymentFailures_MembershipId_StripeInvoiceId",
                table: "MembershipPaymentFailures",
                columns: new[] { "MembershipId", "StripeInvoiceId" });

            migrationBuilder.CreateIndex(
                name: "IX_MembershipStatusChanges_MembershipId_ChangedAt",
                table: "MembershipStatusChanges",
                columns: new[] { "MembershipId", "ChangedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MembershipPaymentFailures");

            migrationBuilder.DropTable(
                name: "MembershipStatusChanges");
        }
    }
}
