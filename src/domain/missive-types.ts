/** Shapes of the Missive API resources the app reads (only the fields it uses). */

export interface MissiveUser {
  id: string;
  me?: boolean;
  email?: string;
  name?: string;
}

export interface MissiveOrganization {
  id: string;
  name: string;
}

export interface MissiveTeam {
  id: string;
  name: string;
  organization?: string | { id: string } | null;
}

export interface MissiveSharedLabel {
  id: string;
  name: string;
  name_with_parent_names?: string;
  organization?: string | { id: string } | null;
}

export interface MissiveContactBook {
  id: string;
  name: string;
  organization?: string | { id: string } | null;
}
