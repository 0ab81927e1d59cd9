using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SeparateRefundsFromLostDisputes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ChargeRefundedAmount",
                table: "Donations",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "LostDisputeAmount",
                table: "Donations",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Until now a lost dispute's amount was added to RefundedAmount. Its share is not known
            // for rows stored before, so a dispute standing lost is taken to account for all of it;
            // the next charge.refunded event or the drift report brings a refund made before it back.
            migrationBuilder.Sql("""
                UPDATE "Donations" SET
                  "ChargeRefundedAmount" = CASE WHEN "DisputeStatus" IN ('lost', 'appeal_needs_response', 'appeal_under_review') THEN 0 ELSE "RefundedAmount" END,
                  "LostDisputeAmount" = CASE WHEN "DisputeStatus" IN ('lost', 'appeal_needs_response', 'appeal_under_review') THEN "RefundedAmount" ELSE 0 END
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ChargeRefundedAmount",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "LostDisputeAmount",
                table: "Donations");
        }
    }
}
