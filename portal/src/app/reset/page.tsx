'use client'
/** /portal/reset/#token=…: a password-reset link. */
import { ChoosePassword } from '../../components/ChoosePassword'

export default function ResetPage() {
  return <ChoosePassword kind="reset" />
}
