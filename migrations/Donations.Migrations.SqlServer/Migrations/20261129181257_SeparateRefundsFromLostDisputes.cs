using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.SqlServer.Migrations
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

            // Until now a lost dispute's amount was added to RefundedAmount, and its share is not
            // known for rows stored before: a dispute standing lost is taken to account for all of
            // it. A refund made before such a dispute is then counted as part of the dispute, which
            // matters only if that dispute is later won on appeal (the README's upgrade notes say
            // how to check those gifts against Stripe).
            // SQL Server compiles a script's batch before running it: the columns added above do not
            // exist yet at that point, so the statement is compiled on its own (EXEC).
            migrationBuilder.Sql("""
                EXEC(N'UPDATE [Donations] SET
                  [ChargeRefundedAmount] = CASE WHEN [DisputeStatus] IN (''lost'', ''appeal_needs_response'', ''appeal_under_review'') THEN 0 ELSE [RefundedAmount] END,
                  [LostDisputeAmount] = CASE WHEN [DisputeStatus] IN (''lost'', ''appeal_needs_response'', ''appeal_under_review'') THEN [RefundedAmount] ELSE 0 END');
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
