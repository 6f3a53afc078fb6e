// Fixed sizes of the session view (px). Virtualisation depends on every column and row having
// the same size: the visible window is computed from the scroll position alone.
export const COL_W = 108;
export const ROW_H = 24;
export const HEAD_H = 30;
export const MIX_H = 176;
export const SCENE_W = 140;
/** Extra columns and rows rendered past each edge of the viewport. */
export const OVERSCAN = 2;
