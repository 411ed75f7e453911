import type { DecisionWrite } from "../api/types";

export type VoteOutcome = "carried" | "lost" | "tie";

/**
 * What the recorded votes mean under the decision's method, shown before saving; the server
 * makes the binding calculation. Simple majority of those voting (a tie needs the chair's
 * casting vote); two-thirds of those voting; consensus carries unless anyone is against.
 */
export function previewVote(
  vote: Pick<DecisionWrite, "method" | "votes_for" | "votes_against" | "chair_casting_vote">,
): VoteOutcome {
  const { method, votes_for: yes, votes_against: no } = vote;
  switch (method) {
    case "consensus":
      return no === 0 ? "carried" : "lost";
    case "two_thirds":
      return yes > 0 && yes * 3 >= (yes + no) * 2 ? "carried" : "lost";
    case "simple_majority":
      if (yes !== no) return yes > no ? "carried" : "lost";
      if (!vote.chair_casting_vote) return "tie";
      return vote.chair_casting_vote === "for" ? "carried" : "lost";
  }
}
