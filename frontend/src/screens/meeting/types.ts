/** The meeting cycle's API shapes (generated into api/schema.d.ts from openapi.json). */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type MeetingCan = Schemas["MeetingCan"];
export type MeetingWrite = Schemas["MeetingCreate"];
export type MeetingChange = Schemas["MeetingUpdate"];
export type AdjournmentWrite = Schemas["AdjournmentCreate"];
export type SubstitutionLimit = Schemas["SubstitutionLimit"];
export type MinutesRead = Schemas["MinutesRead"];
export type MinutesItem = Schemas["MinutesItem"];
export type MinuteRead = Schemas["MinuteRead"];
export type DecisionAction = Schemas["DecisionActionCreate"];
