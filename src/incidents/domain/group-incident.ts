/** The latest incident of an alert group: its open one, else the most recently resolved. */
export interface GroupIncident {
  id: string;
  groupKey: string;
  status: string;
  resolvedAt: Date | null;
}
