using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class RecountRevenueWithoutDisregardedBenefits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The rollup's quid-pro-quo count now leaves out benefits disregarded under IRS rules, as the
            // Form 990 export does: the "recount every day" mark (RevenueRollup.Everything) recounts history.
            migrationBuilder.InsertData(
                table: "RevenueDaysToRecount",
                column: "Day",
                value: new DateOnly(1, 1, 1));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to undo: a recount only makes the rollup agree with the donations.
        }
    }
}
