// My review forms (/app/reviews) and one live review form (/app/reviews/<formId>).
import { FormPage } from "./reviews/FormPage";
import { ListPage } from "./reviews/ListPage";

export function ReviewsPage({ formId }: { formId?: string }) {
  return formId ? <FormPage key={formId} formId={formId} /> : <ListPage />;
}
